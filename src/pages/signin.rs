use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    auth_form::{
        AuthShell, EmailField, FormError, PasswordField, PasswordKind, ReturnTo, SubmitButton,
        clear_on_error, return_to_and_typed_email,
    },
    passkeys::{UsePasskey, passkeys_here},
};
use crate::{
    actions::{auth::SignIn, passkeys::sign_in_step_methods, second_factor::SignInSecondFactor},
    auth::second_factor::code::MAX_CODE_INPUT_CHARS,
};

#[component]
pub fn SignInPage() -> impl IntoView {
    let (next, email) = return_to_and_typed_email();
    let (expired, reset) = use_query_map()
        .with_untracked(|query| (query.get("expired").is_some(), query.get("reset").is_some()));
    view! {
        <Title text="Sign in" />
        <AuthShell>
            <h1>"Sign in"</h1>
            {reset.then(|| view! {
                <p class="notice notice--success" role="status">
                    "Your new password is set and every device was signed out. Sign in with it."
                </p>
            })}
            <SignInForm next=next.clone() email expired />
            {passkeys_here().then(|| view! { <UsePasskey next step=false only_way=false /> })}
            <p class="auth__switch">
                <a href="/forgot-password">"Forgot your password?"</a>
            </p>
            <p class="auth__switch">
                "New to Taskward? " <a href="/signup">"Create an account"</a>
            </p>
        </AuthShell>
    }
}

/// The form, hydrated so a refusal is explained in place. `expired` shows
/// why the user was sent here, until they submit.
#[island]
fn SignInForm(next: String, email: String, expired: bool) -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let show_expired = move || expired && action.value().get().is_none();
    let password = NodeRef::new();
    clear_on_error(action, password);

    view! {
        <Show when=show_expired>
            <p class="notice" role="status">"Your session expired, please sign in again."</p>
        </Show>
        <ActionForm action=action attr:class="form">
            <ReturnTo next />
            <EmailField typed=email />
            <PasswordField label="Password" name="password" kind=PasswordKind::Current input=password />
            <FormError action />
            <SubmitButton action class="button button--block" idle="Sign in" busy="Signing in…" />
        </ActionForm>
    }
}

/// `/signin/second-factor`: the sign-in's second step, for an account with
/// two-step sign-in. The browser holds the step (a cookie the password's
/// form set); without it, the page says to sign in again.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let (next, _) = return_to_and_typed_email();
    let pending = Resource::new(|| (), |_| sign_in_step_methods());
    view! {
        <Title text="Two-step sign-in" />
        <AuthShell>
            <h1>"Two-step sign-in"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        match pending.await {
                            Ok(Some(methods)) => {
                                let codes = methods.iter().any(|method| method == "totp");
                                let passkey = methods.iter().any(|method| method == "passkey");
                                view! {
                                    {(!codes && !passkey).then(|| view! {
                                        <p class="notice" role="status">
                                            "Your account signs in with a passkey, which this \
                                             address cannot use (browsers allow passkeys on a \
                                             domain name only). Ask the administrator."
                                        </p>
                                    })}
                                    {passkey.then(|| view! {
                                        <p class="muted">"Confirm it is you with one of your passkeys."</p>
                                        <UsePasskey next=next.clone() step=true only_way=!codes />
                                    })}
                                    {codes.then(|| view! {
                                        <p class="muted">
                                            {if passkey { "Or enter" } else { "Enter" }}
                                            " the 6-digit code your authenticator app shows for \
                                             Taskward, or one of your recovery codes."
                                        </p>
                                        <SecondFactorForm next />
                                    })}
                                }
                                .into_any()
                            }
                            _ => view! {
                                <p class="notice" role="status">
                                    "This sign-in has expired or was finished already (it lasts \
                                     five minutes)."
                                </p>
                                <p><a class="button" href="/signin">"Sign in again"</a></p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthShell>
    }
}

#[island]
fn SecondFactorForm(next: String) -> impl IntoView {
    let action = ServerAction::<SignInSecondFactor>::new();
    let code = NodeRef::new();
    clear_on_error(action, code);
    view! {
        <ActionForm action=action attr:class="form">
            <ReturnTo next />
            <label class="field">
                <span class="field__label">"Code"</span>
                <input
                    class="input"
                    type="text"
                    name="code"
                    autocomplete="one-time-code"
                    autocapitalize="off"
                    spellcheck="false"
                    maxlength=MAX_CODE_INPUT_CHARS
                    required
                    node_ref=code
                />
                <span class="field__hint">"A recovery code looks like xxxx-xxxx-xxxx-xxxx; each works once."</span>
            </label>
            <FormError action />
            <SubmitButton action class="button button--block" idle="Verify" busy="Verifying…" />
        </ActionForm>
        <p class="auth__switch"><a href="/signin">"Start again"</a></p>
    }
}
