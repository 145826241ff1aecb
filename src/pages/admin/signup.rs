//! `/admin/signup`: who may make an account (open, by invitation, closed),
//! the email domains sign-up is limited to, and whether addresses are
//! confirmed before todos are used, and whose accounts need two-step
//! sign-in. A plain form.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use super::{AdminNav, AdminSection, console_page};
use crate::{
    actions::admin::{AdminSetSignup, admin_signup_settings},
    admin::SignupSettings,
    auth::second_factor::SecondFactorPolicy,
    pages::auth_form::FormError,
    signup::SignupMode,
};

#[component]
pub fn AdminSignupPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| admin_signup_settings());
    view! {
        <Title text="Sign-up · Administration" />
        {console_page(settings, |settings| view! { <SignupForm settings /> }.into_any())}
    }
}

#[component]
fn SignupForm(settings: SignupSettings) -> impl IntoView {
    let action = ServerAction::<AdminSetSignup>::new();
    let domains = settings.email_domains.join(", ");
    view! {
        <h1>"Administration"</h1>
        <AdminNav current=AdminSection::Signup />
        <section class="card stack" aria-labelledby="signup-policy">
            <h2 id="signup-policy">"Who may make an account"</h2>
            <FormError action />
            <form method="post" action=AdminSetSignup::url() class="form">
                <fieldset class="field">
                    <legend class="field__label">"Sign-up"</legend>
                    {SignupMode::ALL
                        .into_iter()
                        .map(|mode| {
                            view! {
                                <label class="field field--check">
                                    <input type="radio" name="mode" value=mode.as_str() checked=mode == settings.mode />
                                    <span>{mode.describe()}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label class="field">
                    <span class="field__label">"Only addresses at these domains (optional)"</span>
                    <input class="input" name="email_domains" value=domains placeholder="example.com, example.org" />
                    <span class="field__hint">
                        "Separated by commas. Empty: any domain. Invitations admit anyone they name."
                    </span>
                </label>
                <label class="field field--check">
                    <input type="checkbox" name="require_verified_email" value="on" checked=settings.require_verified_email />
                    <span>"Accounts confirm their email address before using todos"</span>
                </label>
                <p class="field__hint">
                    "Sign-up mails a confirmation link; until it is followed, todos and lists                      show a notice instead. Needs outbound mail."
                </p>
                <fieldset class="field">
                    <legend class="field__label">"Two-step sign-in is required of"</legend>
                    {SecondFactorPolicy::ALL
                        .into_iter()
                        .map(|policy| {
                            view! {
                                <label class="field field--check">
                                    <input
                                        type="radio"
                                        name="require_second_factor"
                                        value=policy.as_str()
                                        checked=policy == settings.require_second_factor
                                    />
                                    <span>{policy.describe()}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <p class="field__hint">
                    "An account it covers that has no second factor yet can sign in, but is sent \
                     to set one up before anything else (the API answers 403 \
                     second_factor_required)."
                </p>
                <button class="button" type="submit">"Save"</button>
            </form>
        </section>
    }
}
