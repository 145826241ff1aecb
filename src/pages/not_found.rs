use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path without a page, with a 404 status on the server.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found" />
        <main class="page page--narrow">
            <h1>"Page not found"</h1>
            <p class="muted">"The page you asked for doesn't exist or has moved."</p>
            <a class="button" href="/">"Go to the home page"</a>
        </main>
    }
}
