//! The calendar feed's card on `/account`, under `/api/calendar-feed/`:
//! whether the user has a feed, making (or replacing) its address, and
//! turning it off. Plain forms that return to the page, so it works
//! without JavaScript; a new address is shown once, carried to the page
//! in a short-lived cookie as a new API token is.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    auth::{
        calendar_feed::{feed_url, webcal_url},
        credentials::Flash,
        request,
    },
    context,
};

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CalendarFeedView {
    /// When the current address was made ("7 Dec 2026 09:00", on the
    /// user's clock); `None` without a feed.
    pub made: Option<String>,
    /// An address just made, shown this once, and as a `webcal:` link.
    pub new_url: Option<String>,
    pub new_webcal_url: Option<String>,
}

#[server(prefix = "/api", endpoint = "calendar-feed/overview")]
pub async fn my_calendar_feed() -> Result<CalendarFeedView, AppError> {
    context::respond(async {
        let session = request::session()?;
        let made = request::account_service()?
            .calendar_feed_made_at(&session)
            .await?
            .map(|at| {
                session
                    .time_zone
                    .local_at(at)
                    .format("%-d %b %Y %H:%M")
                    .to_string()
            });
        let new_url = if made.is_some() {
            request::take_flash(Flash::NewCalendarFeed)?
        } else {
            None
        };
        let new_webcal_url = new_url.as_deref().map(webcal_url);
        Ok(CalendarFeedView {
            made,
            new_url,
            new_webcal_url,
        })
    })
    .await
}

/// Makes the user a feed address, replacing the one they had.
#[server(prefix = "/api", endpoint = "calendar-feed/make")]
pub async fn make_calendar_feed() -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let (_, secret) = request::account_service()?
            .make_calendar_feed(&session, &context::client()?)
            .await?;
        let origin = context::provided::<crate::config::PublicOrigin>("public origin")?;
        request::flash(Flash::NewCalendarFeed, &feed_url(&origin.0, &secret));
        context::return_to_referer_changed(&[], &[]);
        Ok(())
    })
    .await
}

/// Turns the user's feed off; its address answers 404 from then on.
#[server(prefix = "/api", endpoint = "calendar-feed/turn-off")]
pub async fn turn_off_calendar_feed() -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        match request::account_service()?
            .turn_off_calendar_feed(&session, &context::client()?)
            .await
        {
            // Already off (a second press, another tab): the same page.
            Ok(()) | Err(AppError::NotFound) => {}
            Err(error) => return Err(error),
        }
        context::return_to_referer_changed(&[], &[]);
        Ok(())
    })
    .await
}
