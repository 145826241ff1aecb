//! Browser protections: the cross-origin check of the Leptos surface, the
//! fixed messages for errors in a page's address, the
//! Content-Security-Policy with its per-response nonce, and the headers
//! every response gets.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use tower::{
    ServiceBuilder,
    layer::util::{Identity, Stack},
};
use tower_http::set_header::SetResponseHeaderLayer;

use base64::{Engine, engine::general_purpose::URL_SAFE};

use super::AppState;
use crate::{
    error::AppError,
    navigation::{query_value, with_query_changed},
};

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
/// origin or with the response's nonce (the inline module that loads the
/// islands, written by `app::shell`, carries it); wasm may compile;
/// nothing may frame the page.
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

/// Before a page renders: an error in its address (how a form posted
/// without JavaScript is sent back, and what Leptos shows on the page) is
/// replaced by the fixed message for its code.
pub async fn fix_errors_in_address(mut request: Request) -> Request {
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && let Some(fixed) = with_error_from_address_fixed(request.uri())
    {
        *request.uri_mut() = fixed;
    }
    request
}

/// The address with its `__err` (the error of a form posted without
/// JavaScript, which Leptos shows on the page) replaced by the fixed message
/// for its code, so that no text of an address anyone can write is shown as
/// ours; an `__err` that does not decode is dropped with its `__path`.
/// `None` when there is nothing to replace.
fn with_error_from_address_fixed(uri: &Uri) -> Option<Uri> {
    let path_and_query = uri.path_and_query()?.as_str();
    let query = uri.query()?;
    let sent = query_value(query, "__err")?;
    let form = query_value(query, "__path").unwrap_or_default();
    let fixed = URL_SAFE
        .decode(sent)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<AppError>(&bytes).ok())
        .and_then(|error| serde_json::to_vec(&error.as_shown_from_address(&form)).ok())
        .map(|bytes| URL_SAFE.encode(bytes));
    let rewritten = match fixed {
        Some(fixed) => {
            with_query_changed(path_and_query, |key| key == "__err", &[("__err", &fixed)])
        }
        None => with_query_changed(path_and_query, |key| key == "__err" || key == "__path", &[]),
    };
    rewritten.parse().ok()
}

/// For responses that are not Leptos pages (JSON, redirects, assets).
const DEFAULT_CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The layers that give every response the headers it did not set itself,
/// and `no-store` to every HTML page (each is rendered for its reader).
/// Spelled out because `ServiceBuilder` nests one `Stack` per layer.
pub type SecurityHeaders = Stack<
    SetResponseHeaderLayer<fn(&Response) -> Option<HeaderValue>>,
    Stack<
        SetResponseHeaderLayer<HeaderValue>,
        Stack<
            SetResponseHeaderLayer<HeaderValue>,
            Stack<
                SetResponseHeaderLayer<HeaderValue>,
                Stack<
                    SetResponseHeaderLayer<HeaderValue>,
                    Stack<SetResponseHeaderLayer<HeaderValue>, Identity>,
                >,
            >,
        >,
    >,
>;

pub fn security_headers() -> ServiceBuilder<SecurityHeaders> {
    let default =
        |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    ServiceBuilder::new()
        .layer(default(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP))
        .layer(default(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(default(header::X_FRAME_OPTIONS, "DENY"))
        // Same-origin keeps the Referer that no-JavaScript form posts return to.
        .layer(default(header::REFERRER_POLICY, "same-origin"))
        .layer(default(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            no_store_if_html as fn(&Response) -> Option<HeaderValue>,
        ))
}

fn no_store_if_html(response: &Response) -> Option<HeaderValue> {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"))
        .then_some(NO_STORE)
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
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// Marks every answer of a router as one that no cache may keep: each is
/// for one reader.
pub fn never_stored() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, NO_STORE)
}
