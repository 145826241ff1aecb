//! The Leptos application: the HTML shell and the routes. Pages render on
//! the server only; the browser hydrates the `#[island]` components inside
//! them (the todo list, the forms, the landing page's scratch list), and
//! links between pages are plain page loads.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::pages::{
    account::AccountPage,
    admin::{AdminInvitationsPage, AdminMailPage, AdminPage, AdminSignupPage, AdminUserPage},
    dashboard::DashboardPage,
    landing::LandingPage,
    lists::ListsPage,
    not_found::NotFoundPage,
    notifications::NotificationsPage,
    recovery::{ForgotPasswordPage, ResetPasswordPage},
    security::SecurityPage,
    sessions::SessionsPage,
    signin::{SecondFactorPage, SignInPage},
    signup::SignUpPage,
    todos::TodosPage,
    verification::VerifyEmailPage,
};

/// The document around the app, rendered on the server only.
#[cfg(feature = "ssr")]
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
                <IslandLoader options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Preloads the browser bundle and hydrates the page's islands as soon as
/// the page is parsed (`src/island_loader.js`), in place of Leptos's
/// `HydrationScripts`. The site is built without hashed file names.
#[cfg(feature = "ssr")]
#[component]
fn IslandLoader(options: LeptosOptions) -> impl IntoView {
    // What `HydrationScripts` does in islands mode: the HTML outside the
    // islands is never hydrated, so it is rendered without markers.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let pkg = format!("/{}", options.site_pkg_dir);
    let script_url = format!("{pkg}/{}.js", options.output_name);
    // cargo-leptos names the wasm after the crate's output name; wasm-bindgen
    // run by hand adds `_bg`.
    let wasm_suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        ""
    } else {
        "_bg"
    };
    let wasm_url = format!("{pkg}/{}{wasm_suffix}.wasm", options.output_name);
    // The loader's code without its comments, which every page would carry.
    static LOADER_CODE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let code = LOADER_CODE.get_or_init(|| {
        let lines: Vec<&str> = include_str!("island_loader.js")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .collect();
        lines.join("\n")
    });
    let loader = format!("import * as bundle from {script_url:?};\n{code}(bundle, {wasm_url:?});");
    let nonce = leptos::nonce::use_nonce();
    view! {
        <link rel="modulepreload" href=script_url />
        <link rel="preload" href=wasm_url r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
        <script type="module" async=true nonce=nonce>{loader}</script>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="taskward" href="/pkg/taskward.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Taskward".to_string() } else { format!("{page} · Taskward") }
        } />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=StaticSegment("") view=LandingPage />
                <Route path=StaticSegment("signup") view=SignUpPage ssr=SsrMode::Async />
                <Route path=StaticSegment("signin") view=SignInPage />
                <Route path=(StaticSegment("signin"), StaticSegment("second-factor")) view=SecondFactorPage ssr=SsrMode::Async />
                <Route path=StaticSegment("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=StaticSegment("reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=StaticSegment("verify-email") view=VerifyEmailPage ssr=SsrMode::Async />
                // Signed-in pages render whole before the first byte, so the
                // user's data is in the first response, JavaScript or not.
                <Route path=StaticSegment("dashboard") view=DashboardPage ssr=SsrMode::Async />
                <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("account"), StaticSegment("sessions")) view=SessionsPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("account"), StaticSegment("security")) view=SecurityPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("account"), StaticSegment("notifications")) view=NotificationsPage ssr=SsrMode::Async />
                <Route path=StaticSegment("admin") view=AdminPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("admin"), StaticSegment("signup")) view=AdminSignupPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("admin"), StaticSegment("invitations")) view=AdminInvitationsPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("admin"), StaticSegment("mail")) view=AdminMailPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("admin"), StaticSegment("users"), ParamSegment("id")) view=AdminUserPage ssr=SsrMode::Async />
                <Route path=StaticSegment("todos") view=TodosPage ssr=SsrMode::Async />
                <Route path=StaticSegment("lists") view=ListsPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
