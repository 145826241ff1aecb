use leptos::prelude::*;
use leptos_meta::Title;

use super::auth_form::{
    AuthShell, EmailField, FormError, PasswordField, PasswordKind, ReturnTo, SubmitButton,
    clear_on_error, return_to_and_typed_email,
};
use crate::auth::server_fns::SignUp;

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
