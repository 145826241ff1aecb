//! Accounts and sessions.
//!
//! The server functions below are the web interface (exact endpoints under
//! `/api/auth/`). They parse the request's context and call
//! [`service::AuthService`], which holds every rule. Sessions are JWTs in a
//! hardened cookie, resolved once per request by [`session`].

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod email;
pub mod navigation;
pub mod password;

#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod token;

/// The signed-in user, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
}

/// Where to go after signing in: `next` when it is a path on this site.
#[cfg(feature = "ssr")]
fn destination(next: Option<String>) -> String {
    next.as_deref()
        .and_then(navigation::safe_next_path)
        .unwrap_or("/dashboard")
        .to_owned()
}

/// What sign-up and sign-in do once the account rules have answered: set the
/// cookie and go on, or send a plain form back with the email kept.
#[cfg(feature = "ssr")]
fn enter(
    outcome: Result<service::IssuedToken, AppError>,
    form_path: &str,
    email: &str,
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    let issued = outcome
        .inspect_err(|error| context::return_to_form_with(form_path, error, &[("email", email)]))?;
    context::set_session_cookie(&issued);
    leptos_axum::redirect(&destination(next));
    Ok(issued.account.current_user())
}

/// Creates an account, signs it in and goes to the dashboard.
#[server(prefix = "/api", endpoint = "auth/signup")]
pub async fn sign_up(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    context::respond(async {
        let outcome = context::auth()?
            .sign_up(&email, &password, context::client_address()?)
            .await;
        enter(outcome, <SignUp as ServerFn>::PATH, &email, next)
    })
    .await
}

#[server(prefix = "/api", endpoint = "auth/signin")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    context::respond(async {
        let outcome = context::auth()?
            .sign_in(&email, &password, context::client_address()?)
            .await;
        enter(outcome, <SignIn as ServerFn>::PATH, &email, next)
    })
    .await
}

/// Ends this session: the token is refused from now on, even a copy.
#[server(prefix = "/api", endpoint = "auth/signout")]
pub async fn sign_out() -> Result<(), AppError> {
    context::respond(async {
        let auth = context::auth()?;
        if let Ok(session) = context::session() {
            auth.sign_out(&session).await?;
        }
        context::clear_session_cookie();
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn me() -> Result<CurrentUser, AppError> {
    context::respond(async { context::session().map(|session| session.user()) }).await
}

/// Changes the password; every other session of the user ends.
#[server(prefix = "/api", endpoint = "auth/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    context::respond(async {
        let auth = context::auth()?;
        let session = context::session()?;
        auth.change_password(
            &session,
            &current_password,
            &new_password,
            context::client_address()?,
        )
        .await
    })
    .await
}

/// Ends every session of the user, this one included.
#[server(prefix = "/api", endpoint = "auth/signout-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    context::respond(async {
        let auth = context::auth()?;
        let session = context::session()?;
        auth.sign_out_everywhere(&session).await?;
        context::clear_session_cookie();
        leptos_axum::redirect("/signin");
        Ok(())
    })
    .await
}

/// Deletes the account and everything in it, after confirming the password.
#[server(prefix = "/api", endpoint = "auth/delete-account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    context::respond(async {
        let auth = context::auth()?;
        let session = context::session()?;
        auth.delete_account(&session, &password).await?;
        context::clear_session_cookie();
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}
