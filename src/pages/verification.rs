//! `/verify-email?token=`: where a confirmation link lands. The link only
//! opens the page; the button spends it (a plain form post, the same with
//! and without JavaScript), so a mail scanner that opens links confirms
//! nothing. `?confirmed` and `?moved` say what happened.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::{AuthShell, FormError};
use crate::actions::auth::{VerifyEmail, confirmation_link_works};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let (token, confirmed, moved) = query.with_untracked(|query| {
        (
            query.get("token"),
            query.get("confirmed").is_some(),
            query.get("moved").is_some(),
        )
    });
    let works = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        confirmation_link_works,
    );
    let done = |message: &'static str| {
        view! {
            <p class="notice notice--success" role="status">{message}</p>
            <a class="button" href="/dashboard">"Go to your todos"</a>
        }
        .into_any()
    };
    view! {
        <Title text="Confirm your email address" />
        <AuthShell>
            <h1>"Confirm your email address"</h1>
            {if confirmed {
                done("Your email address is confirmed. Thank you.")
            } else if moved {
                done("Your account uses its new email address now: sign in with it from now on.")
            } else {
                let token = token.unwrap_or_default();
                view! {
                    <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || {
                            let token = token.clone();
                            Suspend::new(async move {
                                match works.await {
                                    Ok(true) => view! { <ConfirmForm token /> }.into_any(),
                                    Ok(false) => view! {
                                        <p class="notice" role="status">
                                            "This link does not work any more: it was used, a newer \
                                             one was sent, or its 24 hours are over. Your account \
                                             page sends a new one."
                                        </p>
                                        <a class="button" href="/account">"Go to your account"</a>
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
        </AuthShell>
    }
}

#[component]
fn ConfirmForm(token: String) -> impl IntoView {
    let action = ServerAction::<VerifyEmail>::new();
    view! {
        <p class="muted">"Press the button to confirm the address this link was mailed to."</p>
        <form method="post" action=VerifyEmail::url() class="form">
            <input type="hidden" name="token" value=token />
            <FormError action />
            <button class="button button--block" type="submit">"Confirm my address"</button>
        </form>
    }
}
