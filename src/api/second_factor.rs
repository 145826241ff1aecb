//! `/api/v1/auth/totp`, `/api/v1/auth/recovery-codes` and
//! `/api/v1/auth/signin/second-factor`: two-step sign-in, through the same
//! [`AuthService`] as the security page. Managed with a session's token
//! only (a personal API token gets 403 `session_required`); these answer
//! also while the instance requires a second factor the account lacks.

use std::sync::Arc;

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    auth::{TAG, TokenResponse},
    extract::{ApiJson, Enrolling},
    problem::{
        AccountDisabledByAdmin, Conflict, JsonBodyRefusals, Problem, SessionRequired,
        TooManyRequests, Unauthorized, Unavailable, Unprocessable, WrongCode,
    },
};
use crate::{auth::service::AuthService, client::Client};

/// The account's password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirmation {
    #[schema(max_length = 128)]
    pub password: String,
}

/// A key for an authenticator app, not yet in use.
#[derive(Serialize, ToSchema)]
pub struct TotpSetupResponse {
    /// The key in base32, for typing into the app.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The same key as the `otpauth://totp/...` address apps read (from a
    /// QR code): HMAC-SHA-1, 6 digits, 30-second steps.
    pub otpauth_uri: String,
}

/// Start setting up an authenticator app: a new key, which guards nothing
/// until `POST /api/v1/auth/totp/confirm` confirms it with a code (starting
/// again replaces a key not yet confirmed). 409 when two-step sign-in is on.
#[utoipa::path(
    post,
    path = "/api/v1/auth/totp",
    tag = TAG,
    security(("bearer" = [])),
    request_body = PasswordConfirmation,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The key, not yet on.", body = TotpSetupResponse),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn begin_totp(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    ApiJson(body): ApiJson<PasswordConfirmation>,
) -> Result<Json<TotpSetupResponse>, Problem> {
    let setup = auth
        .begin_totp(&session, &body.password, None, &client)
        .await?;
    Ok(Json(TotpSetupResponse {
        secret: setup.secret,
        otpauth_uri: setup.otpauth_uri,
    }))
}

/// A code from the authenticator app (6 digits), or for turning two-step
/// sign-in off, a recovery code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeConfirmation {
    #[schema(example = "492039", max_length = 64)]
    pub code: String,
}

/// Recovery codes, shown this once.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes (`xxxx-xxxx-xxxx-xxxx`), each of which signs in
    /// once in place of the app's code. Only their hashes are kept.
    pub recovery_codes: Vec<String>,
}

/// Turn two-step sign-in on with a current code from the app: the answer
/// holds the account's recovery codes, this once.
#[utoipa::path(
    post,
    path = "/api/v1/auth/totp/confirm",
    tag = TAG,
    security(("bearer" = [])),
    request_body = CodeConfirmation,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "Two-step sign-in is on.", body = RecoveryCodes),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn confirm_totp(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    ApiJson(body): ApiJson<CodeConfirmation>,
) -> Result<Json<RecoveryCodes>, Problem> {
    let recovery_codes = auth.confirm_totp(&session, &body.code, &client).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// The password and a code (the app's, or a recovery code).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpRemoval {
    #[schema(max_length = 128)]
    pub password: String,
    #[schema(example = "492039", max_length = 64)]
    pub code: String,
}

/// Turn two-step sign-in off: the key and the recovery codes are deleted.
/// A wrong password or code spends the same budget as a wrong password at
/// sign-in.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/totp",
    tag = TAG,
    security(("bearer" = [])),
    request_body = TotpRemoval,
    responses(
        JsonBodyRefusals,
        (status = 204, description = "Two-step sign-in is off."),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn disable_totp(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    ApiJson(body): ApiJson<TotpRemoval>,
) -> Result<StatusCode, Problem> {
    auth.disable_totp(&session, &body.password, &body.code, None, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// New recovery codes, after the password: the old ones stop working.
#[utoipa::path(
    post,
    path = "/api/v1/auth/recovery-codes",
    tag = TAG,
    security(("bearer" = [])),
    request_body = PasswordConfirmation,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The new codes.", body = RecoveryCodes),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn renew_recovery_codes(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    ApiJson(body): ApiJson<PasswordConfirmation>,
) -> Result<Json<RecoveryCodes>, Problem> {
    let recovery_codes = auth
        .renew_recovery_codes(&session, &body.password, None, &client)
        .await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// The answer to `POST /api/v1/auth/signin` for an account with two-step
/// sign-in: no token yet.
#[derive(Serialize, ToSchema)]
pub struct SecondFactorChallenge {
    /// Always `true`: finish with `POST /api/v1/auth/signin/second-factor`.
    pub second_factor_required: bool,
    /// Send it back with the code; it works once, for `expires_in` seconds
    /// and at most five wrong codes.
    pub challenge: String,
    /// What finishes it: `totp` (the app's code) and `recovery_code`.
    #[schema(example = json!(["totp", "recovery_code"]))]
    pub methods: Vec<String>,
    #[schema(example = 300)]
    pub expires_in: u64,
}

/// A sign-in's second step.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorAnswer {
    /// The `challenge` of the sign-in's answer.
    #[schema(max_length = 64)]
    pub challenge: String,
    /// The app's 6-digit code, or a recovery code.
    #[schema(example = "492039", max_length = 64)]
    pub code: String,
}

/// A finished two-step sign-in.
#[derive(Serialize, ToSchema)]
pub struct SecondFactorSignIn {
    #[serde(flatten)]
    pub token: TokenResponse,
    /// Present when a recovery code was used: how many the account has
    /// left (that one no longer works).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes_left: Option<i64>,
}

/// Finish a sign-in with the app's code or a recovery code: the usual
/// sign-in answer. 401 `invalid_code` for a wrong code or one used already
/// (each app code works once); 401 `sign_in_expired` for an unknown,
/// expired or finished challenge; wrong codes spend the same budget as
/// wrong passwords (429 past it).
#[utoipa::path(
    post,
    path = "/api/v1/auth/signin/second-factor",
    tag = TAG,
    request_body = SecondFactorAnswer,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "Signed in.", body = SecondFactorSignIn),
        (status = 401, response = WrongCode),
        (status = 403, response = AccountDisabledByAdmin),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn finish_sign_in(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(body): ApiJson<SecondFactorAnswer>,
) -> Result<Json<SecondFactorSignIn>, Problem> {
    let done = auth
        .finish_sign_in(&body.challenge, &body.code, &client)
        .await?;
    Ok(Json(SecondFactorSignIn {
        token: done.issued.into(),
        recovery_codes_left: done.recovery_codes_left,
    }))
}
