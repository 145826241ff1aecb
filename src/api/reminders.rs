//! `/api/v1/reminders`: what became of the caller's reminders, and "send
//! me a test". The settings (channels, time of day, default) are part of
//! the account: `PATCH /api/v1/auth/me`.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    extract::{TodoSession, page_limit, read_query},
    problem::{BadRequest, Problem, TooManyRequests, Unauthorized, Unprocessable},
};
use crate::{
    auth::service::AuthService,
    config::PublicOrigin,
    db::Db,
    error::AppError,
    mail::Mailer,
    reminders::{self, DELIVERIES_SHOWN, Delivery},
};

pub const TAG: &str = "reminders";

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub items: Vec<Delivery>,
    /// Pass as `cursor` for older deliveries; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// The `next_cursor` of the page before.
    #[param(max_length = 20)]
    pub cursor: Option<String>,
    /// How many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

const MAX_DELIVERIES: usize = 200;

/// What became of your reminders: one entry per reminder and channel,
/// newest first, kept 30 days.
#[utoipa::path(
    get,
    path = "/api/v1/reminders/deliveries",
    tag = TAG,
    security(("bearer" = [])),
    params(DeliveryParams),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn deliveries(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    params: Result<Query<DeliveryParams>, QueryRejection>,
) -> Result<Json<DeliveryList>, Problem> {
    let params = read_query(params)?;
    let limit = page_limit(
        params.limit.as_deref(),
        DELIVERIES_SHOWN,
        MAX_DELIVERIES,
        "deliveries",
    )?;
    let before =
        match params.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(cursor) => Some(cursor.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(
                || {
                    AppError::Invalid("That cursor is not one this API gave.".into())
                        .in_field("cursor")
                },
            )?),
        };
    let asked = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = reminders::store::deliveries(&db, session.user_id, before, asked).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| row.id.to_string())
    } else {
        None
    };
    Ok(Json(DeliveryList {
        items: rows,
        next_cursor,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TestSent {
    /// The deliveries it made, one per channel you have on (or one that
    /// says why it went nowhere).
    pub items: Vec<Delivery>,
}

/// Send a test reminder now through each channel you have on. At most 5
/// an hour.
#[utoipa::path(
    post,
    path = "/api/v1/reminders/test",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued; the deliveries are in the log.", body = TestSent),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn test(
    State(db): State<Db>,
    State(auth): State<Arc<AuthService>>,
    State(mailer): State<Mailer>,
    State(push): State<crate::push::sender::PushSender>,
    State(origin): State<PublicOrigin>,
    TodoSession(session): TodoSession,
) -> Result<(StatusCode, Json<TestSent>), Problem> {
    auth.spend_test_reminder(&session).await?;
    let count =
        reminders::worker::send_test(&db, &mailer, &push, &origin.0, session.user_id).await?;
    let rows = reminders::store::deliveries(&db, session.user_id, None, count as i64).await?;
    Ok((StatusCode::ACCEPTED, Json(TestSent { items: rows })))
}
