//! `/api/v1/admin/users` and `/api/v1/admin/events`: the console's users
//! and security log for scripts, for administrators only (an
//! [`AdminSession`]); the same rules as the console (the last active
//! administrator stays one; nobody disables or deletes themselves), in the
//! same words.

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
    admin::{AdminSession, TAG},
    extract::{ApiJson, page_limit, read_query},
    problem::{
        BadRequest, Conflict, Forbidden, JsonBodyRefusals, NotFound, Problem, Unauthorized,
        Unprocessable,
    },
    sessions::EventItem,
};
use crate::{
    admin::{
        EVENTS_PER_PAGE, USERS_PER_PAGE,
        console::{console_text, disabling, encode_position, page_cursor, refusal_in_words},
        store::{self, UserRow},
    },
    auth::{Role, security_log::EventKind, service::AuthService, store::is_disabled},
    client::Client,
    db::Db,
    error::AppError,
};

/// The most users or events one page lists.
const MAX_PER_PAGE: usize = 200;
/// The longest search, cursor or email filter: an email's 254 characters.
const MAX_FILTER_CHARS: usize = 254;

/// An account, as administrators see it (never its todos).
#[derive(Serialize, ToSchema)]
pub struct ManagedUser {
    pub id: Uuid,
    pub email: String,
    /// When the address was confirmed by following a mailed link; `null`
    /// while it is not.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// `user` or `admin`.
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Live sessions now.
    pub active_sessions: i64,
    /// How many todos it keeps.
    pub todos: i64,
    pub disabled: bool,
    /// While disabled: why, as the administrator wrote it.
    pub disabled_reason: Option<String>,
    /// While disabled: when it ends, if it does.
    pub disabled_until: Option<DateTime<Utc>>,
    /// Signs in with two-step sign-in (an authenticator app).
    pub second_factor: bool,
}

impl ManagedUser {
    fn from_row(row: UserRow, now: DateTime<Utc>) -> Self {
        let disabled = is_disabled(row.disabled_at, row.disabled_until, now);
        Self {
            id: row.id,
            email: row.email,
            email_verified_at: row.email_verified_at,
            role: Role::from_stored(&row.role).as_str().into(),
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
            active_sessions: row.active_sessions,
            todos: row.todos,
            disabled,
            disabled_reason: if disabled { row.disabled_reason } else { None },
            disabled_until: if disabled { row.disabled_until } else { None },
            second_factor: row.second_factor,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ManagedUserList {
    pub items: Vec<ManagedUser>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserParams {
    /// Only accounts whose email contains this (any case).
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// The `next_cursor` of the page before.
    #[param(max_length = 254)]
    pub cursor: Option<String>,
    /// How many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// The accounts, by email.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = TAG,
    security(("bearer" = [])),
    params(UserParams),
    responses(
        (status = 200, description = "A page of accounts.", body = ManagedUserList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn users(
    State(db): State<Db>,
    AdminSession(_): AdminSession,
    params: Result<Query<UserParams>, QueryRejection>,
) -> Result<Json<ManagedUserList>, Problem> {
    let params = read_query(params)?;
    let limit = page_limit(
        params.limit.as_deref(),
        USERS_PER_PAGE,
        MAX_PER_PAGE,
        "users",
    )?;
    let search = params.q.unwrap_or_default();
    console_text(&search, "q", MAX_FILTER_CHARS)?;
    let after = params.cursor.filter(|cursor| !cursor.is_empty());
    if let Some(after) = &after {
        console_text(after, "cursor", MAX_FILTER_CHARS)?;
    }
    let asked = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = store::list_users(&db, search.trim(), after.as_deref(), asked).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| row.email.to_lowercase())
    } else {
        None
    };
    let now = crate::db::now();
    Ok(Json(ManagedUserList {
        items: rows
            .into_iter()
            .map(|row| ManagedUser::from_row(row, now))
            .collect(),
        next_cursor,
    }))
}

fn user_id(text: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(text.trim()).map_err(|_| Problem::from(AppError::NotFound))
}

async fn found(db: &Db, id: Uuid) -> Result<ManagedUser, Problem> {
    let row = store::user(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(ManagedUser::from_row(row, crate::db::now()))
}

/// One account.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The account.", body = ManagedUser),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn user(
    State(db): State<Db>,
    AdminSession(_): AdminSession,
    Path(id): Path<String>,
) -> Result<Json<ManagedUser>, Problem> {
    Ok(Json(found(&db, user_id(&id)?).await?))
}

/// A change to an account: each field left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// `user` or `admin`.
    pub role: Option<String>,
    /// `true` disables it (its sessions end at once; `disabled_reason`
    /// required), `false` enables it again.
    pub disabled: Option<bool>,
    /// 1 to 500 characters, shown to its owner when they sign in.
    #[schema(max_length = 500)]
    pub disabled_reason: Option<String>,
    /// When the disabling ends: a day (`2027-01-31`, midnight UTC) or an
    /// RFC 3339 time, in the future; left out: until enabled again.
    #[schema(max_length = 40)]
    pub disabled_until: Option<String>,
}

/// Change an account's role, or disable or enable it; logged in the
/// security log.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/users/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body = UserChange,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The account now.", body = ManagedUser),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn update_user(
    State(db): State<Db>,
    AdminSession(session): AdminSession,
    client: Client,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<ManagedUser>, Problem> {
    let id = user_id(&id)?;
    // Everything is checked before anything changes.
    let role = match change.role.as_deref() {
        None => None,
        Some("admin") => Some(Role::Admin),
        Some("user") => Some(Role::User),
        Some(_) => {
            return Err(AppError::Invalid("Choose the role admin or user.".into())
                .in_field("role")
                .into());
        }
    };
    let disabling = match change.disabled {
        Some(true) => Some(
            disabling(
                change.disabled_reason.as_deref().unwrap_or_default(),
                change.disabled_until.as_deref(),
            )
            .map_err(|error| renamed(error, "disabled_"))?,
        ),
        Some(false) | None => {
            if change.disabled.is_none()
                && (change.disabled_reason.is_some() || change.disabled_until.is_some())
            {
                return Err(AppError::Invalid(
                    "A reason or an end goes with \"disabled\": true.".into(),
                )
                .in_field("disabled")
                .into());
            }
            None
        }
    };
    found(&db, id).await?;
    if let Some(role) = role {
        store::change_role(&db, id, role, Some(session.user_id), &client)
            .await
            .map_err(|error| refusal_in_words(error, "change this account's role"))?;
    }
    match (change.disabled, disabling) {
        (Some(true), Some((reason, until))) => {
            store::disable(&db, id, &reason, until, session.user_id, &client)
                .await
                .map_err(|error| refusal_in_words(error, "disable this account"))?;
        }
        (Some(false), _) => {
            store::enable(&db, id, session.user_id, &client)
                .await
                .map_err(|error| refusal_in_words(error, "enable this account"))?;
        }
        _ => {}
    }
    Ok(Json(found(&db, id).await?))
}

/// A field error of the console's names (`reason`, `until`) under the
/// API's (`disabled_reason`, `disabled_until`).
fn renamed(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::InvalidField { field, message } => AppError::InvalidField {
            field: format!("{prefix}{field}"),
            message,
        },
        other => other,
    }
}

/// Delete an account with everything in it; logged.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn delete_user(
    State(db): State<Db>,
    AdminSession(session): AdminSession,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    store::delete(&db, user_id(&id)?, session.user_id, &client)
        .await
        .map_err(|error| refusal_in_words(error, "delete this account"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// End every session of an account (its tokens are refused from then on);
/// logged.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}/sessions",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Every session ended."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn end_user_sessions(
    State(db): State<Db>,
    AdminSession(session): AdminSession,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    store::end_sessions(&db, user_id(&id)?, session.user_id, &client)
        .await
        .map_err(|error| refusal_in_words(error, "end this account's sessions"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove an account's two-step sign-in (its authenticator and recovery
/// codes), for someone who lost both: their password alone signs in again.
/// Logged; the account is told by mail when this instance sends mail. 404
/// when the account has none.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}/second-factor",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn remove_second_factor(
    State(auth): State<std::sync::Arc<AuthService>>,
    AdminSession(session): AdminSession,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    if auth
        .remove_second_factor(user_id(&id)?, Some(session.user_id), &client)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}

/// One event of the instance's security log.
#[derive(Serialize, ToSchema)]
pub struct AdminEvent {
    #[serde(flatten)]
    pub event: EventItem,
    /// The account's email as it was then.
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminEventList {
    pub items: Vec<AdminEvent>,
    /// Pass as `cursor` for older events; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminEventParams {
    /// Only the events of the account with this email.
    #[param(max_length = 254)]
    pub email: Option<String>,
    /// Only events of this type (`sign_in`, `password_reset`, …).
    #[serde(rename = "type")]
    #[param(max_length = 64)]
    pub kind: Option<String>,
    /// The `next_cursor` of the page before.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// How many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// The security log of the whole instance, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/events",
    tag = TAG,
    security(("bearer" = [])),
    params(AdminEventParams),
    responses(
        (status = 200, description = "A page of events.", body = AdminEventList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn events(
    State(db): State<Db>,
    AdminSession(_): AdminSession,
    params: Result<Query<AdminEventParams>, QueryRejection>,
) -> Result<Json<AdminEventList>, Problem> {
    let params = read_query(params)?;
    let limit = page_limit(
        params.limit.as_deref(),
        EVENTS_PER_PAGE,
        MAX_PER_PAGE,
        "events",
    )?;
    let email = params
        .email
        .map(|email| email.trim().to_owned())
        .filter(|email| !email.is_empty());
    if let Some(email) = &email {
        console_text(email, "email", MAX_FILTER_CHARS)?;
    }
    let kind = match params.kind.as_deref().filter(|kind| !kind.is_empty()) {
        None => None,
        Some(text) => Some(EventKind::parse(text).ok_or_else(|| {
            AppError::Invalid("That is not a type of event.".into()).in_field("type")
        })?),
    };
    let after = page_cursor(params.cursor.as_deref())?;
    let asked = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = store::events(&db, email.as_deref(), kind, after, asked).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last()
            .map(|row| encode_position(row.occurred_at, row.id))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .filter(|row| EventKind::parse(&row.kind).is_some())
        .map(|row| AdminEvent {
            email: row.email.clone(),
            event: row.into(),
        })
        .collect();
    Ok(Json(AdminEventList { items, next_cursor }))
}
