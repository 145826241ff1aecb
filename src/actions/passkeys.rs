//! The passkey endpoints of the pages, under `/api/auth/`: adding one on
//! the security page (two calls around `navigator.credentials.create`),
//! deleting one (a plain form), signing in with one on the sign-in page,
//! and a passkey as the sign-in's second step. Each calls
//! [`AuthService`](crate::auth::service::AuthService); none re-implements a
//! rule. WebAuthn's options and answers travel as JSON text: the browser
//! side (`crate::webauthn`) hands them to the browser as they are.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::auth::{credentials::Flash, request};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{context, navigation};

/// The first half of a ceremony, for the browser.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ceremony {
    pub ceremony: String,
    /// `{publicKey: {...}}` as JSON text.
    pub options: String,
}

/// A passkey, as the security page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<crate::auth::second_factor::passkey_service::PasskeySummary> for PasskeyView {
    fn from(summary: crate::auth::second_factor::passkey_service::PasskeySummary) -> Self {
        Self {
            id: summary.id.to_string(),
            name: summary.name,
            created_at: summary.created_at.to_rfc3339(),
            last_used_at: summary.last_used_at.map(|at| at.to_rfc3339()),
        }
    }
}

#[cfg(feature = "ssr")]
fn ceremony(options: crate::auth::second_factor::passkey_service::PasskeyOptions) -> Ceremony {
    Ceremony {
        ceremony: options.ceremony,
        options: options.options.to_string(),
    }
}

/// The browser's answer, as JSON text: a 422 naming `credential` when it
/// is not JSON at all.
#[cfg(feature = "ssr")]
fn credential_value(text: &str) -> Result<serde_json::Value, AppError> {
    serde_json::from_str(text).map_err(|_| {
        AppError::Invalid("The browser's passkey answer was not readable.".into())
            .in_field("credential")
    })
}

/// Starts adding a passkey, after the password.
#[server(prefix = "/api", endpoint = "auth/passkey-options")]
pub async fn passkey_registration_options(password: String) -> Result<Ceremony, AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        let options = request::account_service()?
            .begin_passkey_registration(
                &session,
                &password,
                request::device_token()?.as_deref(),
                &context::client()?,
            )
            .await?;
        Ok(ceremony(options))
    })
    .await
}

/// Finishes adding a passkey with the browser's answer.
#[server(prefix = "/api", endpoint = "auth/add-passkey")]
pub async fn add_passkey(
    ceremony: String,
    name: String,
    credential: String,
) -> Result<(), AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        request::account_service()?
            .finish_passkey_registration(
                &session,
                &ceremony,
                &name,
                credential_value(&credential)?,
                &context::client()?,
            )
            .await?;
        Ok(())
    })
    .await
}

/// Deletes a passkey, after the password (a plain form).
#[server(prefix = "/api", endpoint = "auth/delete-passkey")]
pub async fn delete_passkey(id: String, password: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        request::account_service()?
            .delete_passkey(
                &session,
                id,
                &password,
                request::device_token()?.as_deref(),
                &context::client()?,
            )
            .await?;
        context::return_to_referer_changed(&[], &[]);
        Ok(())
    })
    .await
}

/// Starts a sign-in with a passkey (no email, no password).
#[server(prefix = "/api", endpoint = "auth/passkey-sign-in-options")]
pub async fn passkey_sign_in_options() -> Result<Ceremony, AppError> {
    context::respond(async {
        let options = request::account_service()?
            .begin_passkey_sign_in(&context::client()?)
            .await?;
        Ok(ceremony(options))
    })
    .await
}

/// Finishes a sign-in with a passkey: the session cookie is set, and the
/// answer is where to go (`next`, or the dashboard).
#[server(prefix = "/api", endpoint = "auth/passkey-sign-in")]
pub async fn sign_in_with_passkey(
    ceremony: String,
    credential: String,
    next: Option<String>,
) -> Result<String, AppError> {
    context::respond(async {
        let issued = request::account_service()?
            .finish_passkey_sign_in(
                &ceremony,
                credential_value(&credential)?,
                &context::client()?,
            )
            .await?;
        request::set_session_cookie(&issued);
        Ok(next_path(next))
    })
    .await
}

/// The ways this browser's pending sign-in step can be finished (`totp`,
/// `recovery_code`, `passkey`); `None` when it holds no live step.
#[server(prefix = "/api", endpoint = "auth/sign-in-step")]
pub async fn sign_in_step_methods() -> Result<Option<Vec<String>>, AppError> {
    context::respond(async {
        let Some(challenge) = request::peek_flash(Flash::SignInStep)? else {
            return Ok(None);
        };
        Ok(request::account_service()?
            .sign_in_step_methods(&challenge)
            .await?
            .map(|methods| methods.into_iter().map(str::to_owned).collect()))
    })
    .await
}

/// The options that ask for one of the account's passkeys, for this
/// browser's sign-in step.
#[server(prefix = "/api", endpoint = "auth/passkey-step-options")]
pub async fn passkey_step_options() -> Result<String, AppError> {
    context::respond(async {
        let challenge =
            request::peek_flash(Flash::SignInStep)?.ok_or(AppError::SignInStepExpired)?;
        let options = request::account_service()?
            .begin_passkey_second_step(&challenge)
            .await?;
        Ok(options.to_string())
    })
    .await
}

/// Finishes this browser's sign-in step with a passkey: the session
/// cookie is set, and the answer is where to go.
#[server(prefix = "/api", endpoint = "auth/passkey-step")]
pub async fn finish_step_with_passkey(
    credential: String,
    next: Option<String>,
) -> Result<String, AppError> {
    context::respond(async {
        let challenge =
            request::peek_flash(Flash::SignInStep)?.ok_or(AppError::SignInStepExpired)?;
        let done = request::account_service()?
            .finish_sign_in_with_passkey(
                &challenge,
                credential_value(&credential)?,
                &context::client()?,
            )
            .await
            .inspect_err(|error| {
                if matches!(
                    error,
                    AppError::SignInStepExpired | AppError::AccountDisabled(_)
                ) {
                    request::clear_flash(Flash::SignInStep);
                }
            })?;
        request::clear_flash(Flash::SignInStep);
        request::set_session_cookie(&done.issued);
        Ok(next_path(next))
    })
    .await
}

#[cfg(feature = "ssr")]
fn next_path(next: Option<String>) -> String {
    next.as_deref()
        .and_then(navigation::safe_next_path)
        .unwrap_or("/dashboard")
        .to_owned()
}
