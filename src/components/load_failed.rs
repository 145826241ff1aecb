//! What a page shows in place of what it could not load: the error in
//! words, or, when the instance waits for a confirmed address, what to do
//! about it.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn LoadFailed(error: AppError) -> impl IntoView {
    if error == AppError::EmailUnverified {
        return view! {
            <section class="card stack" aria-labelledby="confirm-first">
                <h2 id="confirm-first">"Confirm your email address first"</h2>
                <p>
                    "This Taskward service asks everyone to confirm their address before using \
                     todos and lists. Follow the link we mailed you when you signed up."
                </p>
                <p><a class="button" href="/account">"Send a new link from your account page"</a></p>
            </section>
        }
        .into_any();
    }
    view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any()
}
