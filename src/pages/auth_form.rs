//! What the sign-in, sign-up and account forms share.

use crate::components::brand::Brand;
use leptos::{html, prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

use crate::{
    auth::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS},
    error::AppError,
};

/// The centred card the sign-in and sign-up forms sit in.
#[component]
pub fn AuthShell(children: Children) -> impl IntoView {
    view! {
        <header class="topbar">
            <Brand href="/" />
        </header>
        <main class="page page--narrow">
            <section class="card auth">{children()}</section>
        </main>
    }
}

/// What the sign-in and sign-up pages read from their address for their
/// form island, which has no router: the page to return to (`?next=`) and
/// the email typed before a form post refused without JavaScript (`?email=`).
pub fn return_to_and_typed_email() -> (String, String) {
    use_query_map().with_untracked(|query| {
        (
            query.get("next").unwrap_or_default(),
            query.get("email").unwrap_or_default(),
        )
    })
}

/// The email field of the sign-in and sign-up forms, holding `typed`.
#[component]
pub fn EmailField(typed: String) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">"Email"</span>
            <input class="input" type="email" name="email" autocomplete="email" required value=typed />
        </label>
    }
}

/// Whether a password field asks for the password the user has or for one
/// they are choosing, which the browser then checks against the policy's
/// length limits (`auth::password`) and may offer to generate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PasswordKind {
    Current,
    New,
}

/// A password field, emptied by [`clear_on_error`] through `input`.
#[component]
pub fn PasswordField(
    label: &'static str,
    name: &'static str,
    kind: PasswordKind,
    input: NodeRef<html::Input>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let choosing = kind == PasswordKind::New;
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <input
                class="input"
                type="password"
                name=name
                autocomplete=if choosing { "new-password" } else { "current-password" }
                minlength=choosing.then_some(MIN_PASSWORD_CHARS)
                maxlength=choosing.then_some(MAX_PASSWORD_CHARS)
                required
                node_ref=input
            />
            {hint.map(|hint| view! { <span class="field__hint">{hint}</span> })}
        </label>
    }
}

/// The submit button of `action`'s form: disabled, and saying `busy`,
/// while the action runs.
#[component]
pub fn SubmitButton<S, T>(
    action: ServerAction<S>,
    class: &'static str,
    idle: &'static str,
    busy: &'static str,
) -> impl IntoView
where
    S: ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let pending = action.pending();
    view! {
        <button class=class type="submit" disabled=move || pending.get()>
            {move || if pending.get() { busy } else { idle }}
        </button>
    }
}

/// Carries the page to return to through the form post.
#[component]
pub fn ReturnTo(next: String) -> impl IntoView {
    view! { <input type="hidden" name="next" value=next /> }
}

/// The latest error of `action`, in words, where a screen reader hears it.
#[component]
pub fn FormError<S, T>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let message = move || {
        action.value().with(|value| {
            value
                .as_ref()
                .and_then(|result| result.as_ref().err())
                .map(ToString::to_string)
        })
    };
    view! {
        <p class="form-error" role="alert" aria-live="assertive">
            {message}
        </p>
    }
}

/// Empties a password field when the server refuses the form: the other
/// fields keep what was typed.
pub fn clear_on_error<S, T>(action: ServerAction<S>, input: NodeRef<html::Input>)
where
    S: ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    Effect::new(move |_| {
        let failed = action.value().with(|value| matches!(value, Some(Err(_))));
        if failed && let Some(input) = input.get() {
            input.set_value("");
        }
    });
}
