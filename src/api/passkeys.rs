//! `/api/v1/auth/passkeys/...`: passkeys (WebAuthn), through the same
//! [`AuthService`] as the security and sign-in pages. Each ceremony is two
//! calls: one answers `{ceremony, options}` (pass `options.publicKey`
//! through `PublicKeyCredential.parseCreationOptionsFromJSON` or
//! `parseRequestOptionsFromJSON` to `navigator.credentials`), the other
//! takes `ceremony` back with the credential's `toJSON()`. A ceremony
//! works once, for five minutes. Passkeys are managed with a session's
//! token only (a personal API token gets 403 `session_required`).

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    auth::{TAG, TokenResponse},
    extract::{ApiJson, Enrolling},
    problem::{
        AccountDisabledByAdmin, Conflict, JsonBodyRefusals, NotFound, PasskeyNotAccepted, Problem,
        SessionRequired, TooManyRequests, Unauthorized, Unavailable, Unprocessable, WrongCode,
    },
    second_factor::{PasswordConfirmation, SecondFactorSignIn},
};
use crate::{
    auth::{
        second_factor::passkey_service::{PasskeyOptions, PasskeySummary},
        service::AuthService,
    },
    client::Client,
    error::AppError,
};

/// A passkey of the account.
#[derive(Serialize, ToSchema)]
pub struct Passkey {
    pub id: Uuid,
    #[schema(example = "Laptop")]
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// When it last signed in; `null` if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<PasskeySummary> for Passkey {
    fn from(summary: PasskeySummary) -> Self {
        Self {
            id: summary.id,
            name: summary.name,
            created_at: summary.created_at,
            last_used_at: summary.last_used_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PasskeyList {
    pub items: Vec<Passkey>,
}

/// The first half of a ceremony.
#[derive(Serialize, ToSchema)]
pub struct PasskeyCeremony {
    /// Send it back with the credential; it works once, for 5 minutes.
    pub ceremony: String,
    /// WebAuthn's options in their JSON form: `{publicKey: {...}}`.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

impl From<PasskeyOptions> for PasskeyCeremony {
    fn from(options: PasskeyOptions) -> Self {
        Self {
            ceremony: options.ceremony,
            options: options.options,
        }
    }
}

/// The account's passkeys, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/auth/passkeys",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The passkeys.", body = PasskeyList),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
    )
)]
pub async fn passkeys(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
) -> Result<Json<PasskeyList>, Problem> {
    let items = auth
        .passkeys(&session)
        .await?
        .into_iter()
        .map(Passkey::from)
        .collect();
    Ok(Json(PasskeyList { items }))
}

/// Start adding a passkey, after the password: the options for
/// `navigator.credentials.create`. 409 at 10 passkeys, or when this
/// instance is reached by an IP address (browsers refuse passkeys there).
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/registration",
    tag = TAG,
    security(("bearer" = [])),
    request_body = PasswordConfirmation,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The ceremony's options.", body = PasskeyCeremony),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn begin_registration(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    ApiJson(body): ApiJson<PasswordConfirmation>,
) -> Result<Json<PasskeyCeremony>, Problem> {
    let options = auth
        .begin_passkey_registration(&session, &body.password, None, &client)
        .await?;
    Ok(Json(options.into()))
}

/// A new passkey: the browser's answer to the registration's options.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasskey {
    #[schema(max_length = 64)]
    pub ceremony: String,
    /// 1 to 60 characters, e.g. the device it is on.
    #[schema(example = "Laptop", max_length = 60)]
    pub name: String,
    /// `PublicKeyCredential.toJSON()` of `navigator.credentials.create`.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// Finish adding a passkey. 401 `passkey_refused` when the answer does not
/// check out; 422 for an expired or used ceremony.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewPasskey,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Added.", body = Passkey),
        (status = 401, response = PasskeyNotAccepted),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn finish_registration(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    ApiJson(body): ApiJson<NewPasskey>,
) -> Result<(StatusCode, Json<Passkey>), Problem> {
    let added = auth
        .finish_passkey_registration(
            &session,
            &body.ceremony,
            &body.name,
            body.credential,
            &client,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Delete a passkey, after the password: it signs in no more.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/passkeys/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The passkey's id")),
    request_body = PasswordConfirmation,
    responses(
        JsonBodyRefusals,
        (status = 204, description = "Deleted."),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn delete_passkey(
    State(auth): State<Arc<AuthService>>,
    Enrolling(session): Enrolling,
    client: Client,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PasswordConfirmation>,
) -> Result<StatusCode, Problem> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| Problem::from(AppError::NotFound))?;
    auth.delete_passkey(&session, id, &body.password, None, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start signing in with a passkey, without an email or password: options
/// that let the browser offer the passkeys it holds for this site. Each
/// start counts against the address's sign-in allowance (429 past it).
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/signin",
    tag = TAG,
    responses(
        (status = 200, description = "The ceremony's options.", body = PasskeyCeremony),
        (status = 409, response = Conflict),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn begin_sign_in(
    State(auth): State<Arc<AuthService>>,
    client: Client,
) -> Result<Json<PasskeyCeremony>, Problem> {
    Ok(Json(auth.begin_passkey_sign_in(&client).await?.into()))
}

/// A passkey's answer to a sign-in's options.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyAnswer {
    #[schema(max_length = 64)]
    pub ceremony: String,
    /// `PublicKeyCredential.toJSON()` of `navigator.credentials.get`.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// Finish signing in with a passkey: the usual sign-in answer. 401
/// `passkey_refused` when the passkey is not one of an account here or
/// its answer does not check out; 422 for an expired or used ceremony.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/signin/finish",
    tag = TAG,
    request_body = PasskeyAnswer,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "Signed in.", body = TokenResponse),
        (status = 401, response = PasskeyNotAccepted),
        (status = 403, response = AccountDisabledByAdmin),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    )
)]
pub async fn finish_sign_in(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(body): ApiJson<PasskeyAnswer>,
) -> Result<Json<TokenResponse>, Problem> {
    let issued = auth
        .finish_passkey_sign_in(&body.ceremony, body.credential, &client)
        .await?;
    Ok(Json(issued.into()))
}

/// A sign-in step (the `challenge` of `POST /api/v1/auth/signin`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInStep {
    #[schema(max_length = 64)]
    pub challenge: String,
}

/// The options that ask for one of the account's passkeys.
#[derive(Serialize, ToSchema)]
pub struct PasskeyRequest {
    /// WebAuthn's options in their JSON form: `{publicKey: {...}}`.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// For a sign-in step whose `methods` include `passkey`: the options that
/// ask for one of the account's passkeys. Asking again replaces them.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/second-factor",
    tag = TAG,
    request_body = SignInStep,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The options.", body = PasskeyRequest),
        (status = 401, response = WrongCode),
        (status = 409, response = Conflict),
        (status = 503, response = Unavailable),
    )
)]
pub async fn begin_second_factor(
    State(auth): State<Arc<AuthService>>,
    ApiJson(body): ApiJson<SignInStep>,
) -> Result<Json<PasskeyRequest>, Problem> {
    let options = auth.begin_passkey_second_step(&body.challenge).await?;
    Ok(Json(PasskeyRequest { options }))
}

/// A passkey's answer to a sign-in step's options.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorPasskey {
    #[schema(max_length = 64)]
    pub challenge: String,
    /// `PublicKeyCredential.toJSON()` of `navigator.credentials.get`.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// Finish a sign-in step with a passkey: the usual sign-in answer. 401
/// `passkey_refused` for an answer that does not check out (it counts as
/// a wrong code: five end the step, and each spends the password budget);
/// 401 `sign_in_expired` for an unknown, expired or finished challenge.
#[utoipa::path(
    post,
    path = "/api/v1/auth/passkeys/second-factor/finish",
    tag = TAG,
    request_body = SecondFactorPasskey,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "Signed in.", body = SecondFactorSignIn),
        (status = 401, response = PasskeyNotAccepted),
        (status = 403, response = AccountDisabledByAdmin),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn finish_second_factor(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(body): ApiJson<SecondFactorPasskey>,
) -> Result<Json<SecondFactorSignIn>, Problem> {
    let done = auth
        .finish_sign_in_with_passkey(&body.challenge, body.credential, &client)
        .await?;
    Ok(Json(SecondFactorSignIn {
        token: done.issued.into(),
        recovery_codes_left: done.recovery_codes_left,
    }))
}
