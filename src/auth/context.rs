//! What a server function knows about its request: the session the
//! middleware resolved, the client's address, and how to answer (status,
//! cookies). Every server function that touches user data goes through
//! [`session`], so each re-checks the session on every call.

use std::{
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::ConnectInfo,
    http::{HeaderValue, header, request::Parts},
};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::{
    rate_limit::client_address as resolve_client_address,
    service::{AuthService, IssuedToken, Session, SessionState},
    session::{cleared_session_cookie, session_cookie},
};
use crate::{
    error::{AppError, is_plain_form_post},
    server::AppState,
};

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| AppError::internal("request parts missing from context"))
}

pub fn db() -> Result<crate::db::Db, AppError> {
    Ok(state()?.db)
}

pub fn auth() -> Result<Arc<AuthService>, AppError> {
    Ok(state()?.auth)
}

/// The signed-in session, or `Unauthenticated`.
pub fn session() -> Result<Session, AppError> {
    match parts()?.extensions.get::<SessionState>() {
        Some(SessionState::Valid(session)) => Ok(session.clone()),
        _ => Err(AppError::Unauthenticated),
    }
}

pub fn client_address() -> Result<IpAddr, AppError> {
    let parts = parts()?;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
        .ok_or_else(|| AppError::internal("client address missing"))?;
    Ok(resolve_client_address(
        peer,
        &parts.headers,
        &state()?.auth.config().trusted_proxies,
    ))
}

fn cookie_secure() -> bool {
    state()
        .map(|state| state.auth.config().cookie_secure)
        .unwrap_or(true)
}

pub fn set_session_cookie(issued: &IssuedToken) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(header::SET_COOKIE, session_cookie(cookie_secure(), issued));
    }
}

pub fn clear_session_cookie() {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(header::SET_COOKIE, cleared_session_cookie(cookie_secure()));
    }
}

/// For a plain form post that failed, sends the browser back to the form
/// with the error (as Leptos does) and with `keep`'s values in the query,
/// so the page can refill what was typed. Passwords are never kept.
pub fn return_to_form_with(server_fn_path: &str, error: &AppError, keep: &[(&str, &str)]) {
    use super::navigation::{encode_query_value, query_pairs_without, with_query};
    use leptos::server_fn::error::ServerFnUrlError;

    let Some((referer, response)) = plain_form_post_referer() else {
        return;
    };
    let replaced =
        |key: &str| key == "__path" || key == "__err" || keep.iter().any(|(kept, _)| *kept == key);
    let (page, kept) = query_pairs_without(&referer, replaced);
    let mut pairs: Vec<String> = kept.into_iter().map(str::to_owned).collect();
    pairs.extend(
        keep.iter()
            .map(|(key, value)| format!("{key}={}", encode_query_value(value))),
    );
    let base = with_query(page, &pairs);
    if let Ok(url) = ServerFnUrlError::new(server_fn_path, error.clone()).to_url(&base)
        && let Ok(location) = HeaderValue::from_str(url.as_str())
    {
        response.insert_header(header::LOCATION, location);
    }
}

/// For a plain form post that succeeded, returns the browser to the page
/// it came from without the query parameter `key` (say, the `edit` that
/// opened the form), instead of to the page exactly as it was.
pub fn return_to_referer_without(key: &str) {
    let Some((referer, response)) = plain_form_post_referer() else {
        return;
    };
    let back = super::navigation::without_query_key(&referer, key);
    if let Some(location) = back.and_then(|back| HeaderValue::from_str(&back).ok()) {
        response.insert_header(header::LOCATION, location);
    }
}

/// For a plain form post (no JavaScript), the page it was posted from and
/// the response whose `Location` sends the browser on.
fn plain_form_post_referer() -> Option<(String, ResponseOptions)> {
    let (parts, response) = (parts().ok()?, use_context::<ResponseOptions>()?);
    if !is_plain_form_post() {
        return None;
    }
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    Some((referer.to_owned(), response))
}

/// Runs a server function body and gives its error the right HTTP status
/// (and `Retry-After` when rate limited).
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        error.set_response_status();
    }
    result
}
