//! `/api/v1/auth/tokens`: the caller's personal API tokens, for scripts
//! ([`crate::auth::api_tokens`]). Managed with a session's token only: a
//! personal token cannot list, make or delete tokens (403
//! `session_required`). Another account's token id answers like an unknown
//! one.

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
    auth::TAG,
    extract::{ApiJson, Authenticated},
    problem::{Conflict, JsonBodyRefusals, NotFound, Problem, SessionRequired, Unauthorized},
};
use crate::{
    auth::{
        api_tokens::{ApiTokenView, NewApiToken, TokenScope},
        service::AuthService,
    },
    client::Client,
    db::now,
    error::AppError,
};

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    /// Newest first; an account keeps at most 20.
    pub items: Vec<ApiTokenView>,
}

/// The account's personal API tokens (never their secrets).
#[utoipa::path(
    get,
    path = "/api/v1/auth/tokens",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tokens.", body = TokenList),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
    )
)]
pub async fn tokens(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
) -> Result<Json<TokenList>, Problem> {
    Ok(Json(TokenList {
        items: auth.api_tokens(&session).await?,
    }))
}

/// A token to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for, 1 to 100 characters, e.g. "backup script".
    #[schema(example = "backup script", min_length = 1, max_length = 100)]
    pub name: String,
    /// `read`: GET on todos, lists and exports; `write`: changes too.
    pub scope: TokenScope,
    /// When it stops working (RFC 3339, within ten years); omitted or
    /// `null`: until deleted.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token just made: `token` is shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    /// The secret, `tw_pat_` and 43 characters: send it as
    /// `Authorization: Bearer <token>`. Only its hash is kept.
    pub token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Make a personal API token. It works on `/api/v1` with its scope's
/// rights until deleted, expired, or ended with the account's sessions
/// (signing out everywhere, a password change or reset).
#[utoipa::path(
    post,
    path = "/api/v1/auth/tokens",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewToken,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Made; the secret is in `token`, shown once.", body = CreatedToken),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 409, response = Conflict),
    )
)]
pub async fn create_token(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    client: Client,
    ApiJson(asked): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), Problem> {
    let token = NewApiToken::parse(&asked.name, asked.scope, asked.expires_at, now())?;
    let (made, secret) = auth.create_api_token(&session, &token, &client).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: made.id,
            name: made.name,
            scope: made.scope,
            token: secret.expose().to_owned(),
            created_at: made.created_at,
            expires_at: made.expires_at,
        }),
    ))
}

/// Delete a token: it is refused from the next request on.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/tokens/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete_token(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| Problem::from(AppError::NotFound))?;
    auth.delete_api_token(&session, id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
