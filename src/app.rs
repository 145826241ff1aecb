//! The Leptos application: the HTML shell and the routes. Compiled for the
//! server (to render) and for the browser (to hydrate).

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::pages::{
    account::AccountPage, dashboard::DashboardPage, landing::LandingPage, not_found::NotFoundPage,
    signin::SignInPage, signup::SignUpPage, todos::TodosPage,
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name="description" content="Taskward: your personal todo list." />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, after hydration: this marks the page
    // as interactive (browser tests wait for it).
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="taskward" href="/pkg/taskward.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Taskward".to_string() } else { format!("{page} · Taskward") }
        } />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=StaticSegment("") view=LandingPage />
                <Route path=StaticSegment("signup") view=SignUpPage />
                <Route path=StaticSegment("signin") view=SignInPage />
                // Signed-in pages render whole before the first byte, so the
                // user's data is in the first response, JavaScript or not.
                <Route path=StaticSegment("dashboard") view=DashboardPage ssr=SsrMode::Async />
                <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async />
                <Route path=StaticSegment("todos") view=TodosPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
