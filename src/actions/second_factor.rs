//! The two-step sign-in endpoints of the web forms, under `/api/auth/`:
//! the security page's (set up, confirm, turn off, new recovery codes) and
//! the sign-in's second step. Each calls
//! [`AuthService`](crate::auth::service::AuthService); none re-implements a
//! rule. The security page's work for an account the policy holds back
//! (`SecondFactorRequired`), so they read the session with
//! [`request::enrolling_session`].

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos::server_fn::ServerFn;

#[cfg(feature = "ssr")]
use crate::auth::{credentials::Flash, request};
use crate::{
    actions::{auth::TokenSummary, passkeys::PasskeyView},
    auth::second_factor::SecondFactorOverview,
    error::AppError,
};
#[cfg(feature = "ssr")]
use crate::{context, navigation};

/// What `/account/security` shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecurityOverview {
    pub second_factor: SecondFactorOverview,
    pub passkeys: Vec<PasskeyView>,
    /// Whether this instance can use passkeys (it is reached by a domain
    /// name).
    pub passkeys_available: bool,
    /// The personal API tokens (none are listed while the policy holds
    /// the account back: it can only set up a second factor).
    pub tokens: Vec<TokenSummary>,
    /// The secret of a token just made, shown this once.
    pub new_token: Option<String>,
}

#[server(prefix = "/api", endpoint = "auth/security")]
pub async fn my_security() -> Result<SecurityOverview, AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        let auth = request::account_service()?;
        let new_codes = request::take_flash(Flash::RecoveryCodes)?
            .map(|codes| codes.split(' ').map(str::to_owned).collect());
        let second_factor = auth.second_factor_overview(&session, new_codes).await?;
        let passkeys = auth
            .passkeys(&session)
            .await?
            .into_iter()
            .map(PasskeyView::from)
            .collect();
        let (tokens, new_token) = if session.second_factor_missing() {
            (Vec::new(), None)
        } else {
            let tokens = auth
                .api_tokens(&session)
                .await?
                .into_iter()
                .map(TokenSummary::from)
                .collect();
            (tokens, request::take_flash(Flash::NewApiToken)?)
        };
        Ok(SecurityOverview {
            second_factor,
            passkeys,
            passkeys_available: auth.passkeys_available(),
            tokens,
            new_token,
        })
    })
    .await
}

/// Starts setting up an authenticator app, after the password; the page
/// it returns to shows the key and its QR code.
#[server(prefix = "/api", endpoint = "auth/start-totp")]
pub async fn start_totp(password: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        request::account_service()?
            .begin_totp(
                &session,
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

/// Confirms the authenticator with a code from it; the page it returns to
/// shows the recovery codes, once.
#[server(prefix = "/api", endpoint = "auth/confirm-totp")]
pub async fn confirm_totp(code: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        let codes = request::account_service()?
            .confirm_totp(&session, &code, &context::client()?)
            .await?;
        request::flash(Flash::RecoveryCodes, &codes.join(" "));
        context::return_to_referer_changed(&["recovery_codes_left"], &[]);
        Ok(())
    })
    .await
}

/// Turns two-step sign-in off, with the password and a code.
#[server(prefix = "/api", endpoint = "auth/disable-totp")]
pub async fn disable_totp(password: String, code: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        request::account_service()?
            .disable_totp(
                &session,
                &password,
                &code,
                request::device_token()?.as_deref(),
                &context::client()?,
            )
            .await?;
        context::return_to_referer_changed(&["recovery_codes_left"], &[]);
        Ok(())
    })
    .await
}

/// New recovery codes (the old ones stop working), shown once.
#[server(prefix = "/api", endpoint = "auth/new-recovery-codes")]
pub async fn new_recovery_codes(password: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::enrolling_session()?;
        let codes = request::account_service()?
            .renew_recovery_codes(
                &session,
                &password,
                request::device_token()?.as_deref(),
                &context::client()?,
            )
            .await?;
        request::flash(Flash::RecoveryCodes, &codes.join(" "));
        context::return_to_referer_changed(&["recovery_codes_left"], &[]);
        Ok(())
    })
    .await
}

/// Finishes the sign-in this browser started with a code from the app or
/// a recovery code, then goes on to `next` (or, after a recovery code, to
/// the security page, which says how many are left).
#[server(prefix = "/api", endpoint = "auth/signin-second-factor")]
pub async fn sign_in_second_factor(code: String, next: Option<String>) -> Result<(), AppError> {
    context::respond(async {
        let next = next
            .as_deref()
            .and_then(navigation::safe_next_path)
            .unwrap_or("/dashboard")
            .to_owned();
        let outcome = match request::peek_flash(Flash::SignInStep)? {
            Some(challenge) => {
                request::account_service()?
                    .finish_sign_in(&challenge, &code, &context::client()?)
                    .await
            }
            None => Err(AppError::SignInStepExpired),
        };
        let done = outcome.inspect_err(|error| {
            if matches!(
                error,
                AppError::SignInStepExpired | AppError::AccountDisabled(_)
            ) {
                request::clear_flash(Flash::SignInStep);
            }
            context::return_to_form_with(
                <SignInSecondFactor as ServerFn>::PATH,
                error,
                &[("next", &next)],
            )
        })?;
        request::clear_flash(Flash::SignInStep);
        request::set_session_cookie(&done.issued);
        match done.recovery_codes_left {
            Some(left) => {
                leptos_axum::redirect(&format!("/account/security?recovery_codes_left={left}"))
            }
            None => leptos_axum::redirect(&next),
        }
        Ok(())
    })
    .await
}
