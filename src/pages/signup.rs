use leptos::{html, prelude::*};
use leptos_meta::Title;

use super::auth_form::{
    AuthShell, EmailField, FormError, PasswordField, PasswordKind, ReturnTo, SubmitButton,
    clear_on_error, return_to_and_typed_email,
};
use crate::actions::auth::SignUp;

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

/// The IANA name of the browser's time zone, e.g. `Europe/Berlin`.
fn browser_time_zone() -> String {
    use leptos::web_sys::js_sys::{Array, Intl, Object, Reflect};
    let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_default()
}
