//! Browser protections: a cross-origin check on every state-changing API
//! request, and security headers on every response.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{error::AppError, server::AppState};

/// Refuses, with 403, a state-changing request to `/api/` sent by a page of
/// another origin: first by `Sec-Fetch-Site`, which browsers set and pages
/// cannot forge, else by `Origin`. Requests with neither (curl, mobile apps
/// with bearer tokens) carry no ambient browser credentials to abuse, and
/// neither does any request to the JSON API, which ignores cookies.
pub async fn reject_cross_origin_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if writes
        && request.uri().path().starts_with("/api/")
        && !crate::api::is_api_path(request.uri().path())
        && !is_same_origin(request.headers(), &state.config.public_origin)
    {
        tracing::warn!(path = %request.uri().path(), "cross-origin write refused");
        return AppError::Forbidden.into_response();
    }
    next.run(request).await
}

fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    match (header("sec-fetch-site"), header("origin")) {
        (Some(site), _) => site == "same-origin",
        (None, Some(origin)) => origin.eq_ignore_ascii_case(public_origin),
        (None, None) => true,
    }
}

/// The Content-Security-Policy of an HTML page. Scripts run only from our
/// origin or with this response's nonce (Leptos's hydration script carries
/// it); wasm may compile; nothing may frame the page.
pub fn content_security_policy(nonce: &str) -> String {
    // `cargo leptos watch` reloads the page over a websocket on another
    // port. Read once: the environment does not change while serving.
    static DEV_RELOAD: std::sync::LazyLock<&str> = std::sync::LazyLock::new(|| {
        if std::env::var_os("LEPTOS_WATCH").is_some() {
            " ws:"
        } else {
            ""
        }
    });
    let dev_reload = *DEV_RELOAD;
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'{dev_reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Gives this render a fresh nonce (Leptos puts it on its scripts) and
/// sends the matching policy.
pub fn provide_nonce_and_policy() {
    leptos::nonce::provide_nonce();
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// For responses that are not Leptos pages (JSON, redirects, assets).
const DEFAULT_CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Headers every response gets; pages and API responses, which may carry
/// user data, are never stored by caches.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set_default = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set_default(headers, header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
    set_default(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(headers, header::X_FRAME_OPTIONS, "DENY");
    // Same-origin keeps the Referer that no-JavaScript form posts return to.
    set_default(headers, header::REFERRER_POLICY, "same-origin");
    set_default(
        headers,
        "cross-origin-opener-policy"
            .parse()
            .expect("valid header name"),
        "same-origin",
    );

    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_html || path.starts_with("/api/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
