//! `/api/v1/auth/sessions` and `/api/v1/auth/events`: the caller's own live
//! sessions (to end one, say a lost phone's) and their own security log.
//! Scoped to the token's account: another account's session id answers
//! like an unknown one.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    auth::TAG,
    extract::{Authenticated, page_limit, read_query},
    problem::{BadRequest, NotFound, Problem, Unauthorized, Unprocessable},
};
use crate::auth::store::EventRow;
use crate::{
    admin::console::{encode_position, page_cursor},
    auth::{security_log::EventKind, service::AuthService},
    client::Client,
    error::AppError,
};

/// One live session of the account.
#[derive(Serialize, ToSchema)]
pub struct SessionItem {
    pub id: Uuid,
    /// Whether it is the session of the token that asked.
    pub current: bool,
    pub created_at: DateTime<Utc>,
    /// Updated at most every 5 minutes.
    pub last_used_at: DateTime<Utc>,
    /// The device as kept from its user agent when it signed in, e.g.
    /// "Firefox on Linux" (never the raw header); empty when unknown.
    pub user_agent: String,
    /// The client's address when it signed in (by the trusted-proxy rules).
    pub address: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    /// Most recently used first; an account keeps at most 100.
    pub items: Vec<SessionItem>,
    /// Always `null`: every live session fits in one page.
    pub next_cursor: Option<String>,
}

/// The account's live sessions.
#[utoipa::path(
    get,
    path = "/api/v1/auth/sessions",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The live sessions.", body = SessionList),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn sessions(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
) -> Result<Json<SessionList>, Problem> {
    let items = auth
        .sessions(&session)
        .await?
        .into_iter()
        .map(|row| SessionItem {
            current: row.id == session.session_id,
            id: row.id,
            created_at: row.created_at,
            last_used_at: row.last_used_at.unwrap_or(row.created_at),
            user_agent: row.device,
            address: row.client_address,
        })
        .collect();
    Ok(Json(SessionList {
        items,
        next_cursor: None,
    }))
}

/// End one of the account's sessions: its token is refused from then on
/// (ending the caller's own signs it out).
#[utoipa::path(
    delete,
    path = "/api/v1/auth/sessions/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Ended."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn end_session(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| Problem::from(AppError::NotFound))?;
    auth.end_session(&session, id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One event of the account's security log.
#[derive(Serialize, ToSchema)]
pub struct EventItem {
    pub id: Uuid,
    /// `sign_in`, `sign_in_failed`, `password_changed`, `admin_granted`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub at: DateTime<Utc>,
    pub address: String,
    /// The device summary, as for a session.
    pub user_agent: String,
    /// More about it (a failed sign-in's reason, a disabling's reason).
    pub detail: String,
    /// The administrator who acted, for their actions.
    pub actor_id: Option<Uuid>,
    /// The account it is about.
    pub target_id: Option<Uuid>,
}

impl From<EventRow> for EventItem {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            at: row.occurred_at,
            address: row.client_address,
            user_agent: row.device,
            detail: row.detail,
            actor_id: row.actor_id,
            target_id: row.user_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventItem>,
    /// Pass as `cursor` for older events; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// The `next_cursor` of the page before.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// How many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

const DEFAULT_EVENTS: usize = 50;
const MAX_EVENTS: usize = 200;

/// The account's security log, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/auth/events",
    tag = TAG,
    security(("bearer" = [])),
    params(EventParams),
    responses(
        (status = 200, description = "A page of events.", body = EventList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn events(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    params: Result<Query<EventParams>, QueryRejection>,
) -> Result<Json<EventList>, Problem> {
    let params = read_query(params)?;
    let limit = page_limit(
        params.limit.as_deref(),
        DEFAULT_EVENTS,
        MAX_EVENTS,
        "events",
    )?;
    let after = page_cursor(params.cursor.as_deref())?;
    let asked = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = auth.events_page(&session, after, asked).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last()
            .map(|row| encode_position(row.occurred_at, row.id))
    } else {
        None
    };
    let items = rows
        .into_iter()
        // Kinds this version does not know (a newer instance wrote them) are left out.
        .filter(|row| EventKind::parse(&row.kind).is_some())
        .map(EventItem::from)
        .collect();
    Ok(Json(EventList { items, next_cursor }))
}
