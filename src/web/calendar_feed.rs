//! `GET /calendar/<secret>.ics`: a user's calendar feed, for calendar apps
//! that subscribe to it without signing in. The secret in the address is
//! the credential ([`crate::auth::calendar_feed`]); the request log shows
//! the route's template, never the address. Every fetch of a feed spends
//! one of its fetches for the hour (429 past them); `If-None-Match` with
//! the feed's current `ETag` answers 304 without a body.

use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use super::AppState;
use crate::{
    auth::{calendar_feed::FeedSecret, service::AuthService},
    db::Db,
    error::AppError,
    ical::{self, FeedSource, MAX_FEED_TODOS},
    reminders, todos,
};

/// The route's template, which is what the request log and `/metrics`
/// name.
pub const ROUTE: &str = "/calendar/{file}";

#[derive(Clone)]
struct FeedState {
    db: Db,
    auth: Arc<AuthService>,
    host: Arc<str>,
}

pub fn router(state: &AppState) -> Router {
    let origin = &state.config.public_origin;
    let host = origin
        .split_once("://")
        .map_or(origin.as_str(), |(_, rest)| rest)
        .trim_end_matches('/');
    Router::new().route(
        ROUTE,
        get(feed).with_state(FeedState {
            db: state.db.clone(),
            auth: state.auth.clone(),
            host: Arc::from(host),
        }),
    )
}

async fn feed(
    State(state): State<FeedState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(secret) = FeedSecret::from_file_name(&file) else {
        return no_such_feed();
    };
    let owner = match state.auth.open_calendar_feed(&secret).await {
        Ok(Some(owner)) => owner,
        Ok(None) => return no_such_feed(),
        Err(error) => return refused(&error),
    };
    let read = async {
        let todos = todos::store::open_and_dated(&state.db, owner.user_id, MAX_FEED_TODOS).await?;
        let settings = reminders::store::settings(&state.db, owner.user_id).await?;
        Ok::<_, sqlx::Error>((todos, settings.day_minutes))
    };
    let (todos, day_minutes) = match read.await {
        Ok(read) => read,
        Err(error) => return refused(&AppError::from(error)),
    };
    // Up to a few megabytes of text: written off the async workers.
    let host = state.host.clone();
    let zone = owner.time_zone;
    let written = tokio::task::spawn_blocking(move || {
        let body = ical::render(&FeedSource {
            todos: &todos,
            zone,
            day_minutes,
            host: &host,
        });
        let etag = ical::etag(&body);
        (body, etag)
    })
    .await;
    let (body, etag) = match written {
        Ok(written) => written,
        Err(error) => return refused(&AppError::internal(error)),
    };
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| ical::matches_etag(tags, &etag));
    let tag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    // Private: the address is a secret, and so is what it shows.
    let caching = HeaderValue::from_static("private, no-cache");
    if current {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag), (header::CACHE_CONTROL, caching)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"taskward.ics\""),
            ),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, caching),
        ],
        body,
    )
        .into_response()
}

/// Said the same for an address never made, replaced, turned off, or of a
/// disabled account.
fn no_such_feed() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "There is no calendar feed at this address. It may have been replaced or turned off: \
         copy the current address from your Taskward account page.",
    )
}

/// A refusal or failure as plain text, which a calendar app can show.
fn refused(error: &AppError) -> Response {
    let mut response = plain(error.http_status(), &error.to_string());
    if let Some(seconds) = error.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        text.to_owned(),
    )
        .into_response()
}
