use leptos::{html, prelude::*};
use leptos_meta::Title;

use super::auth_form::{
    AuthShell, EmailField, FormError, PasswordField, PasswordKind, ReturnTo, SubmitButton,
    clear_on_error, return_to_and_typed_email,
};
use crate::{
    actions::auth::{SignUp, open_for_signup},
    signup::SignupGate,
};
use leptos_router::hooks::use_query_map;

/// `/signup`, or `/signup?invite=<token>` from an invitation link. Before
/// the form, the page asks whether the instance would take the sign-up
/// (its policy, the invitation): when not, it says why instead of showing
/// a form no one could use.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let (next, email) = return_to_and_typed_email();
    let invite = use_query_map().with_untracked(|query| query.get("invite"));
    let gate = Resource::new(move || invite.clone(), open_for_signup);
    view! {
        <Title text="Create your account" />
        <AuthShell>
            <h1>"Create your account"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let (next, email) = (next.clone(), email.clone());
                    Suspend::new(async move {
                        match gate.await {
                            Ok(SignupGate::Form { invite, email: bound }) => view! {
                                <p class="muted">
                                    {if invite.is_some() {
                                        "You were invited. Free, private, and yours alone."
                                    } else {
                                        "Free, private, and yours alone."
                                    }}
                                </p>
                                <SignUpForm
                                    next
                                    email=bound.clone().unwrap_or(email)
                                    email_bound=bound.is_some()
                                    invite=invite.unwrap_or_default()
                                />
                            }
                            .into_any(),
                            Ok(SignupGate::Refused(why)) => view! {
                                <p class="notice" role="status">{why}</p>
                            }
                            .into_any(),
                            Err(error) => view! {
                                <p class="form-error" role="alert">{error.to_string()}</p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
            <p class="auth__switch">
                "Already have an account? " <a href="/signin">"Sign in"</a>
            </p>
        </AuthShell>
    }
}

/// The form, hydrated so a refusal is explained in place.
#[island]
fn SignUpForm(next: String, email: String, email_bound: bool, invite: String) -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let password = NodeRef::new();
    clear_on_error(action, password);
    // The browser knows its time zone; without JavaScript the account
    // starts on UTC, changed on the account page.
    let time_zone: NodeRef<html::Input> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(input) = time_zone.get() {
            input.set_value(&browser_time_zone());
        }
    });

    view! {
        <ActionForm action=action attr:class="form">
            <ReturnTo next />
            <input type="hidden" name="time_zone" value="" node_ref=time_zone />
            {(!invite.is_empty()).then(|| view! { <input type="hidden" name="invite" value=invite /> })}
            {if email_bound {
                // The invitation is for this address only.
                view! {
                    <label class="field">
                        <span class="field__label">"Email"</span>
                        <input class="input" type="email" name="email" autocomplete="email" required readonly value=email />
                    </label>
                }
                .into_any()
            } else {
                view! { <EmailField typed=email /> }.into_any()
            }}
            <PasswordField
                label="Password"
                name="password"
                kind=PasswordKind::New
                input=password
                hint="At least 8 characters. A few unrelated words make a strong one."
            />
            <FormError action />
            <SubmitButton action class="button button--block" idle="Create account" busy="Creating your account…" />
        </ActionForm>
    }
}

/// The IANA name of the browser's time zone, e.g. `Europe/Berlin`.
fn browser_time_zone() -> String {
    use leptos::web_sys::js_sys::{Array, Intl, Object, Reflect};
    let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_default()
}
