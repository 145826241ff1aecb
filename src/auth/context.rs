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
    http::{HeaderValue, StatusCode, header, request::Parts},
};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::{
    rate_limit::client_address as resolve_client_address,
    service::{AuthService, IssuedToken, Session, SessionState},
    session::{cleared_session_cookie, session_cookie},
};
use crate::{error::AppError, server::AppState};

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| AppError::internal("request parts missing from context"))
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

/// A plain HTML form post (no JavaScript): errors then travel back in the
/// redirect to the form, so the status must stay a redirect.
fn is_plain_form_post() -> bool {
    parts().is_ok_and(|parts| {
        parts
            .headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Runs a server function body and gives its error the right HTTP status
/// (and `Retry-After` when rate limited).
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result
        && !is_plain_form_post()
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response.set_status(
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if let AppError::RateLimited { retry_after_secs } = error {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
    }
    result
}
