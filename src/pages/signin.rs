use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::{AuthShell, EmailField, FormError, ReturnTo, clear_on_error};
use crate::auth::SignIn;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let expired = move || query.read().get("expired").is_some() && action.value().get().is_none();
    let password = NodeRef::new();
    clear_on_error(action, password);

    view! {
        <Title text="Sign in" />
        <AuthShell>
            <h1>"Sign in"</h1>
            <Show when=expired>
                <p class="notice" role="status">"Your session expired, please sign in again."</p>
            </Show>
            <ActionForm action=action attr:class="form">
                <ReturnTo />
                <EmailField />
                <label class="field">
                    <span class="field__label">"Password"</span>
                    <input
                        class="input"
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        node_ref=password
                    />
                </label>
                <FormError action />
                <button class="button button--block" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="auth__switch">
                "New to Taskward? " <a href="/signup">"Create an account"</a>
            </p>
        </AuthShell>
    }
}
