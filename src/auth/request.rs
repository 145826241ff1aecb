//! The account side of a server function's request: the account service,
//! the session the web layer resolved, and the session cookie. Every server
//! function that touches user data calls [`session`], so each re-checks the
//! session on every call.

use std::sync::Arc;

use axum::http::header;

use super::{
    credentials::{
        Flash, PresentedToken, cleared_session_cookie, device_cookie, device_token_from_cookie,
        session_cookie,
    },
    service::{AuthService, IssuedToken, Session, SessionState},
};
use crate::{context, error::AppError};

pub fn account_service() -> Result<Arc<AuthService>, AppError> {
    context::provided("account service")
}

/// The signed-in session, or `Unauthenticated`; refused
/// (`SecondFactorRequired`) while the instance requires a second factor
/// of the account and it has none.
pub fn session() -> Result<Session, AppError> {
    let session = enrolling_session()?;
    session.second_factor_access()?;
    Ok(session)
}

/// The signed-in session even while it lacks a second factor the instance
/// requires: for what such an account may still do (see who is signed in,
/// set up a second factor, sign out).
pub fn enrolling_session() -> Result<Session, AppError> {
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

/// Hands `value` to the next page (see [`Flash`]).
pub fn flash(flash: Flash, value: &str) {
    context::append_response_header(header::SET_COOKIE, flash.cookie(cookie_secure(), value));
}

/// The value `flash` holds for this page, cleared as it is read.
pub fn take_flash(flash: Flash) -> Result<Option<String>, AppError> {
    let headers = context::request_headers()?;
    let secure = cookie_secure();
    let value = flash.read(&headers, secure);
    if value.is_some() {
        context::append_response_header(header::SET_COOKIE, flash.cleared(secure));
    }
    Ok(value)
}

/// The value `flash` holds, left in place (a sign-in step lives until it
/// is finished or expires).
pub fn peek_flash(flash: Flash) -> Result<Option<String>, AppError> {
    let headers = context::request_headers()?;
    Ok(flash.read(&headers, cookie_secure()))
}

/// Clears `flash` in the browser.
pub fn clear_flash(flash: Flash) {
    context::append_response_header(header::SET_COOKIE, flash.cleared(cookie_secure()));
}
