use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::{
    AuthShell, EmailField, FormError, PasswordField, PasswordKind, ReturnTo, SubmitButton,
    clear_on_error, return_to_and_typed_email,
};
use crate::actions::auth::SignIn;

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
            <SignInForm next email expired />
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
