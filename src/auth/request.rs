//! The account side of a server function's request: the account service,
//! the session the web layer resolved, and the session cookie. Every server
//! function that touches user data calls [`session`], so each re-checks the
//! session on every call.

use std::sync::Arc;

use axum::http::header;

use super::{
    credentials::{
        PresentedToken, cleared_new_token_cookie, cleared_session_cookie, device_cookie,
        device_token_from_cookie, new_token_cookie, new_token_from_cookie, session_cookie,
    },
    service::{AuthService, IssuedToken, Session, SessionState},
};
use crate::{context, error::AppError};

pub fn account_service() -> Result<Arc<AuthService>, AppError> {
    context::provided("account service")
}

/// The signed-in session, or `Unauthenticated`.
pub fn session() -> Result<Session, AppError> {
    match context::request_extension::<SessionState>()? {
        Some(SessionState::Valid(session)) => Ok(session),
        _ => Err(AppError::Unauthenticated),
    }
}

/// The signed-in session of a server function on todos or lists: refused
/// (`EmailUnverified`) while the instance requires a confirmed address
/// that the account has not confirmed.
pub fn todo_session() -> Result<Session, AppError> {
    let session = session()?;
    session.todo_access()?;
    Ok(session)
}

/// The token the request presented, valid or not.
pub fn presented_token() -> Result<Option<String>, AppError> {
    Ok(
        context::request_extension::<PresentedToken>()?.map(|presented| match presented {
            PresentedToken::Header(token) | PresentedToken::Cookie(token) => token,
        }),
    )
}

fn cookie_secure() -> bool {
    account_service().map_or(true, |auth| auth.config().cookie_secure)
}

/// Sets the session cookie, and the device cookie of a sign-in.
pub fn set_session_cookie(issued: &IssuedToken) {
    let secure = cookie_secure();
    context::append_response_header(header::SET_COOKIE, session_cookie(secure, issued));
    if let Some(device_token) = &issued.device_token {
        context::append_response_header(header::SET_COOKIE, device_cookie(secure, device_token));
    }
}

/// The device token of this browser, if it signed in here before.
pub fn device_token() -> Result<Option<String>, AppError> {
    let headers = context::request_headers()?;
    Ok(device_token_from_cookie(&headers, cookie_secure()))
}

pub fn clear_session_cookie() {
    context::append_response_header(header::SET_COOKIE, cleared_session_cookie(cookie_secure()));
}

/// Carries a new API token's secret to the next page (see
/// [`new_token_cookie`]).
pub fn show_new_token_once(secret: &str) {
    context::append_response_header(
        header::SET_COOKIE,
        new_token_cookie(cookie_secure(), secret),
    );
}

/// The new API token waiting to be shown, cleared as it is read.
pub fn take_new_token() -> Result<Option<String>, AppError> {
    let headers = context::request_headers()?;
    let secure = cookie_secure();
    let secret = new_token_from_cookie(&headers, secure);
    if secret.is_some() {
        context::append_response_header(header::SET_COOKIE, cleared_new_token_cookie(secure));
    }
    Ok(secret)
}
