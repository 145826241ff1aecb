//! `/forgot-password` and `/reset-password?token=`: getting back into an
//! account by a mailed link. Both work without JavaScript (plain form
//! posts that return here); with it, the form's island explains a refusal
//! in place.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::{
    AuthShell, EmailField, FormError, PasswordField, PasswordKind, SubmitButton, clear_on_error,
    return_to_and_typed_email,
};
use crate::actions::auth::{ForgotPassword, ResetPassword, reset_by_mail, reset_link_works};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let (_, email) = return_to_and_typed_email();
    let sent = use_query_map().with_untracked(|query| query.get("sent").is_some());
    let by_mail = Resource::new(|| (), |_| reset_by_mail());
    view! {
        <Title text="Forgot your password?" />
        <AuthShell>
            <h1>"Forgot your password?"</h1>
            {if sent {
                view! {
                    <p class="notice notice--success" role="status">
                        "If an account has that address, a link to choose a new password is on \
                         its way. It works once, for 30 minutes. Nothing there? Look in the spam \
                         folder, or ask again in a few minutes."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || {
                            let email = email.clone();
                            Suspend::new(async move {
                                match by_mail.await {
                                    Ok(true) => view! {
                                        <p class="muted">
                                            "Enter your account's email and we will mail you a link \
                                             to choose a new password."
                                        </p>
                                        <ForgotForm email />
                                    }
                                    .into_any(),
                                    Ok(false) => view! {
                                        <p class="notice" role="status">
                                            "This Taskward service cannot send mail. Ask its \
                                             administrator for a reset link."
                                        </p>
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
                }
                .into_any()
            }}
            <p class="auth__switch">
                "Remembered it? " <a href="/signin">"Sign in"</a>
            </p>
        </AuthShell>
    }
}

#[island]
fn ForgotForm(email: String) -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    view! {
        <ActionForm action=action attr:class="form">
            <EmailField typed=email />
            <FormError action />
            <SubmitButton action class="button button--block" idle="Mail me a link" busy="Sending…" />
        </ActionForm>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|query| query.get("token"));
    let works = Resource::new(move || token.clone(), reset_link_works);
    let token = use_query_map().with_untracked(|query| query.get("token").unwrap_or_default());
    view! {
        <Title text="Choose a new password" />
        <AuthShell>
            <h1>"Choose a new password"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match works.await {
                            Ok(true) => view! {
                                <p class="muted">
                                    "Every device signed in to your account will be signed out."
                                </p>
                                <ResetForm token />
                            }
                            .into_any(),
                            Ok(false) => view! {
                                <p class="notice" role="status">
                                    "This link does not work any more: it was used, a newer one \
                                     was made, the password was changed, or its 30 minutes are \
                                     over."
                                </p>
                                <a class="button" href="/forgot-password">"Ask for a new link"</a>
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
        </AuthShell>
    }
}

#[island]
fn ResetForm(token: String) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let password = NodeRef::new();
    clear_on_error(action, password);
    view! {
        <ActionForm action=action attr:class="form">
            <input type="hidden" name="token" value=token />
            <PasswordField
                label="New password"
                name="password"
                kind=PasswordKind::New
                input=password
                hint="At least 8 characters. A few unrelated words make a strong one."
            />
            <FormError action />
            <SubmitButton action class="button button--block" idle="Set the new password" busy="Setting it…" />
        </ActionForm>
    }
}
