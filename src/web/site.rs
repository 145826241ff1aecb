//! The site: Leptos pages and the server functions behind their forms
//! (`/api/<area>/<name>`, from [`crate::actions`]), one router with its
//! own layers. The
//! session is read from the cookie (or a bearer header), cross-origin writes
//! are refused, and signed-in pages may be served from the page cache.

use std::sync::OnceLock;

use axum::{
    Router,
    middleware::{from_fn_with_state, map_request},
    routing::{MethodRouter, any},
};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::{limit::RequestBodyLimitLayer, services::ServeDir, set_status::SetStatus};

use super::{AppState, account_files, page_cache, security, session};
use crate::{
    app::{App, shell},
    config::{PublicOrigin, REQUEST_BODY_LIMIT},
    todos::TodoLimit,
};

/// Pages and server functions, with the layers of this surface. Layered
/// here, before the router is merged, they stay with these routes only.
pub fn router(state: &AppState) -> Router {
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(state, route_list(), render_context(state), move || {
            shell(options.clone())
        })
        // Inner to outer: serve unchanged signed-in pages from the page
        // cache, limit request bodies, add the account page's files,
        // resolve the session, refuse cross-origin writes, replace
        // errors in the address by fixed messages, and mark every answer
        // (redirects and refusals included) as one no cache may keep.
        .layer(from_fn_with_state(
            state.page_cache.clone(),
            page_cache::serve_cached_pages,
        ))
        // Forms are small; the account page's upload has its own limit.
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_LIMIT))
        .merge(account_files::router())
        .layer(from_fn_with_state(
            state.auth.clone(),
            session::session_middleware,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            security::reject_cross_origin_writes,
        ))
        .layer(map_request(security::fix_errors_in_address))
        .layer(security::never_stored())
        .with_state(state.clone())
}

/// What every render and server function call finds in its context: the
/// services the server functions use (see `crate::context`) and a fresh
/// CSP nonce.
fn render_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let (db, auth, policy) = (
        state.db.clone(),
        state.auth.clone(),
        state.content_security_policy.clone(),
    );
    let todo_limit = TodoLimit(state.config.max_todos_per_user);
    let (clock, undo_window) = (state.config.clock, state.config.undo_window);
    let public_origin = PublicOrigin(state.config.public_origin.clone());
    let mailer = state.mailer.clone();
    let push = state.push.clone();
    move || {
        provide_context(public_origin.clone());
        provide_context(mailer.clone());
        provide_context(push.clone());
        provide_context(db.clone());
        provide_context(auth.clone());
        provide_context(todo_limit);
        provide_context(undo_window);
        provide_context(clock);
        policy.provide_for_render();
    }
}

/// Any other address: a file of the built site (`public/`'s, such as the
/// favicon), else the "page not found" page, with a 404.
pub fn files_or_not_found(state: &AppState) -> ServeDir<SetStatus<MethodRouter>> {
    let options = state.leptos_options.clone();
    let not_found =
        leptos_axum::render_app_to_stream_with_context(render_context(state), move || {
            shell(options.clone())
        });
    ServeDir::new(&*state.leptos_options.site_root)
        .append_index_html_on_directories(false)
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(any(not_found))
}

/// The app's routes, listed once per process. Listing them renders the app
/// with resource loading switched off by a process-wide flag, so a page
/// rendered meanwhile by another server in the same process (the test
/// suite starts many) would wait forever for its data (leptos-rs/leptos#4773).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::navigation::PAGES;

    #[test]
    fn every_routed_page_says_who_may_load_it_and_nothing_else_does() {
        let routed: BTreeSet<String> = route_list()
            .iter()
            .map(|route| match route.path() {
                "" => "/".to_owned(),
                path => path.to_owned(),
            })
            .collect();
        let listed: BTreeSet<String> = PAGES.iter().map(|page| page.path.to_owned()).collect();
        assert_eq!(routed, listed);
    }
}
