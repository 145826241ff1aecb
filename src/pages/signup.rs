use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::{AuthShell, FormError, clear_on_error};
use crate::auth::SignUp;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // Refills the email after a refused form post without JavaScript.
    let typed_email = query.read_untracked().get("email").unwrap_or_default();
    let password = NodeRef::new();
    clear_on_error(action, password);

    view! {
        <Title text="Create your account" />
        <AuthShell>
            <h1>"Create your account"</h1>
            <p class="muted">"Free, private, and yours alone."</p>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <label class="field">
                    <span class="field__label">"Email"</span>
                    <input class="input" type="email" name="email" autocomplete="email" required value=typed_email />
                </label>
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
            <p class="auth__switch">
                "Already have an account? " <a href="/signin">"Sign in"</a>
            </p>
        </AuthShell>
    }
}
