//! Browser protections: the cross-origin check of the Leptos surface, the
//! Content-Security-Policy with its per-response nonce, and the headers
//! every response gets.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use tower_http::set_header::SetResponseHeaderLayer;

use super::AppState;
use crate::error::AppError;

/// Refuses, with 403, a state-changing request sent by a page of another
/// origin: first by `Sec-Fetch-Site`, which browsers set and pages cannot
/// forge, else by `Origin`. Requests with neither (curl, scripts) carry no
/// ambient browser credentials to abuse. Layered on the Leptos surface
/// only: the JSON API ignores cookies, so it has nothing to protect here.
pub async fn reject_cross_origin_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if writes && !is_same_origin(request.headers(), &state.config.public_origin) {
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
/// origin or with the response's nonce (Leptos's hydration script carries
/// it); wasm may compile; nothing may frame the page.
#[derive(Clone, Debug)]
pub struct ContentSecurityPolicy {
    /// `cargo leptos watch` reloads the page over a websocket.
    live_reload: bool,
}

impl ContentSecurityPolicy {
    pub fn new(live_reload: bool) -> Self {
        Self { live_reload }
    }

    pub fn with_nonce(&self, nonce: &str) -> Option<HeaderValue> {
        let reload = if self.live_reload { " ws:" } else { "" };
        HeaderValue::from_str(&format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'{reload}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ))
        .ok()
    }

    /// Gives this render a fresh nonce (Leptos puts it on its scripts) and
    /// sends the matching policy. Runs in every render's context.
    pub fn provide_for_render(&self) {
        leptos::nonce::provide_nonce();
        if let (Some(nonce), Some(response)) = (
            leptos::nonce::use_nonce(),
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        ) && let Some(policy) = self.with_nonce(&nonce)
        {
            response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
}

/// For responses that are not Leptos pages (JSON, redirects, assets).
const DEFAULT_CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Headers every response gets, unless it set its own. HTML is never
/// stored by caches: every page is rendered for its reader.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Same-origin keeps the Referer that no-JavaScript form posts return to.
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if is_html {
        headers.insert(header::CACHE_CONTROL, NO_STORE);
    }
    response
}

/// Browsers reach the site over https only from now on (two years), when
/// it is served over https.
pub fn strict_transport_security() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=63072000; includeSubDomains"),
    )
}

/// For responses that carry one user's data.
pub const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
