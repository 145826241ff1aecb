//! `/api/v1/calendar-feed`: the caller's private calendar feed address
//! ([`crate::auth::calendar_feed`]). Making one replaces the one before
//! (whose address then answers 404); only its hash is kept, so the address
//! is shown once, when made. Managed with a session's token only: a
//! personal API token cannot make a credential (403 `session_required`).

use std::sync::Arc;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    extract::Authenticated,
    problem::{NotFound, Problem, SessionRequired, Unauthorized},
};
use crate::{
    auth::{
        calendar_feed::{feed_url, webcal_url},
        service::AuthService,
    },
    client::Client,
    config::PublicOrigin,
    error::AppError,
};

pub const TAG: &str = "calendar";

/// A feed address just made.
#[derive(Serialize, ToSchema)]
pub struct CreatedFeed {
    /// The address to subscribe to, shown this once: anyone who has it
    /// reads your open todos that have a due date.
    #[schema(
        example = "https://taskward.example/calendar/3q2-7wJ1cYbVnN0pM5r9TqY1dWfK4hZs8uLxEaG6oBI.ics"
    )]
    pub url: String,
    /// The same address for calendar apps that open `webcal:` links.
    pub webcal_url: String,
    pub created_at: DateTime<Utc>,
}

/// Whether you have a feed, and since when (its address is not kept).
#[derive(Serialize, ToSchema)]
pub struct FeedState {
    pub created_at: DateTime<Utc>,
}

/// Your calendar feed: 404 when you have none.
#[utoipa::path(
    get,
    path = "/api/v1/calendar-feed",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "You have a feed, made then.", body = FeedState),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 404, response = NotFound),
    )
)]
pub async fn feed(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
) -> Result<Json<FeedState>, Problem> {
    match auth.calendar_feed_made_at(&session).await? {
        Some(created_at) => Ok(Json(FeedState { created_at })),
        None => Err(AppError::NotFound.into()),
    }
}

/// Make a calendar feed address, replacing the one you had: an iCalendar
/// file of your open todos that have a due date, for a calendar app to
/// subscribe to.
#[utoipa::path(
    post,
    path = "/api/v1/calendar-feed",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Made; the address is shown this once.", body = CreatedFeed),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
    )
)]
pub async fn create_feed(
    State(auth): State<Arc<AuthService>>,
    State(origin): State<PublicOrigin>,
    Authenticated(session): Authenticated,
    client: Client,
) -> Result<(StatusCode, Json<CreatedFeed>), Problem> {
    let (created_at, secret) = auth.make_calendar_feed(&session, &client).await?;
    let url = feed_url(&origin.0, &secret);
    Ok((
        StatusCode::CREATED,
        Json(CreatedFeed {
            webcal_url: webcal_url(&url),
            url,
            created_at,
        }),
    ))
}

/// Turn your calendar feed off: its address answers 404 from now on.
#[utoipa::path(
    delete,
    path = "/api/v1/calendar-feed",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Turned off."),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete_feed(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    client: Client,
) -> Result<StatusCode, Problem> {
    auth.turn_off_calendar_feed(&session, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
