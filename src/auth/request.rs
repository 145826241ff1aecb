//! The account side of a server function's request: the account service,
//! the session the web layer resolved, and the session cookie. Every server
//! function that touches user data calls [`session`], so each re-checks the
//! session on every call.

use std::sync::Arc;

use axum::http::header;

use super::{
    credentials::{cleared_session_cookie, session_cookie},
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

fn cookie_secure() -> bool {
    account_service().map_or(true, |auth| auth.config().cookie_secure)
}

pub fn set_session_cookie(issued: &IssuedToken) {
    context::append_response_header(header::SET_COOKIE, session_cookie(cookie_secure(), issued));
}

pub fn clear_session_cookie() {
    context::append_response_header(header::SET_COOKIE, cleared_session_cookie(cookie_secure()));
}
