use leptos::prelude::*;
use leptos_meta::Title;

use super::auth_form::{
    AuthShell, EmailField, FormError, ReturnTo, clear_on_error, return_to_and_typed_email,
};
use crate::auth::SignUp;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let (next, email) = return_to_and_typed_email();
    view! {
        <Title text="Create your account" />
        <AuthShell>
            <h1>"Create your account"</h1>
            <p class="muted">"Free, private, and yours alone."</p>
            <SignUpForm next email />
            <p class="auth__switch">
                "Already have an account? " <a href="/signin">"Sign in"</a>
            </p>
        </AuthShell>
    }
}

/// The form, hydrated so a refusal is explained in place.
#[island]
fn SignUpForm(next: String, email: String) -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let password = NodeRef::new();
    clear_on_error(action, password);

    view! {
        <ActionForm action=action attr:class="form">
            <ReturnTo next />
            <EmailField typed=email />
            <label class="field">
                <span class="field__label">"Password"</span>
                <input
                    class="input"
                    type="password"
                    name="password"
                    autocomplete="new-password"
                    minlength="8"
                    maxlength="128"
                    required
                    node_ref=password
                />
                <span class="field__hint">
                    "At least 8 characters. A few unrelated words make a strong one."
                </span>
            </label>
            <FormError action />
            <button class="button button--block" type="submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Creating your account…" } else { "Create account" }}
            </button>
        </ActionForm>
    }
}
