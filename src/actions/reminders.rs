//! The endpoints of `/account/notifications`, under `/api/reminders/`:
//! what the page shows, saving the settings, and "send me a test". Plain
//! forms that return to the page, so it works without JavaScript.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{auth::request, context, reminders};
use crate::{
    error::AppError,
    reminders::{Delivery, ReminderSettings},
};

/// What `/account/notifications` shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotificationsOverview {
    pub settings: ReminderSettings,
    /// Whether the account's address is confirmed (mail goes only there).
    pub email_verified: bool,
    pub email: String,
    /// Whether this instance can send mail at all.
    pub mail_available: bool,
    /// The newest deliveries, their times on the user's clock.
    pub deliveries: Vec<DeliveryShown>,
    /// The instance's VAPID public key, for "Notify me in this browser".
    pub push_key: String,
    /// The browsers subscribed to push, newest first.
    pub browsers: Vec<BrowserShown>,
}

/// A subscribed browser as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrowserShown {
    pub id: String,
    pub name: String,
    /// The push service's origin.
    pub service: String,
    /// "7 Dec 2026 09:00", on the user's clock.
    pub added: String,
    pub last_sent: Option<String>,
}

/// A delivery as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliveryShown {
    pub delivery: Delivery,
    /// "7 Dec 09:00", in the user's zone.
    pub due: String,
    pub sent: Option<String>,
}

#[server(prefix = "/api", endpoint = "reminders/overview")]
pub async fn my_notifications() -> Result<NotificationsOverview, AppError> {
    context::respond(async {
        let session = request::session()?;
        let db = context::db()?;
        let settings = reminders::store::settings(&db, session.user_id).await?;
        let deliveries = reminders::store::deliveries(
            &db,
            session.user_id,
            None,
            reminders::DELIVERIES_SHOWN as i64,
        )
        .await?;
        let account = session.account();
        let zone = session.time_zone;
        let local = |at: &str| {
            chrono::DateTime::parse_from_rfc3339(at)
                .map(|at| {
                    zone.local_at(at.to_utc())
                        .format("%-d %b %Y %H:%M")
                        .to_string()
                })
                .unwrap_or_else(|_| at.to_owned())
        };
        let deliveries = deliveries
            .into_iter()
            .map(|delivery| DeliveryShown {
                due: local(&delivery.due_at),
                sent: delivery.sent_at.as_deref().map(local),
                delivery,
            })
            .collect();
        let shown_at = |at: chrono::DateTime<chrono::Utc>| {
            zone.local_at(at).format("%-d %b %Y %H:%M").to_string()
        };
        let browsers = crate::push::store::of_user(&db, session.user_id)
            .await?
            .into_iter()
            .map(|row| BrowserShown {
                id: row.id.to_string(),
                service: url::Url::parse(&row.endpoint)
                    .ok()
                    .and_then(|url| url.host_str().map(str::to_owned))
                    .unwrap_or_default(),
                added: shown_at(row.created_at),
                last_sent: row.last_sent_at.map(shown_at),
                name: row.name,
            })
            .collect();
        let push = context::provided::<crate::push::sender::PushSender>("push sender")?;
        Ok(NotificationsOverview {
            settings,
            email_verified: account.email_verified,
            email: account.email,
            mail_available: context::provided::<crate::mail::Mailer>("mailer")?.can_send(),
            deliveries,
            push_key: push.keys().public_key().to_owned(),
            browsers,
        })
    })
    .await
}

/// Saves the channels, the time of day and the default reminder. The
/// checkboxes are sent only when ticked.
#[server(prefix = "/api", endpoint = "reminders/settings")]
pub async fn save_notification_settings(
    #[server(default)] email: Option<String>,
    #[server(default)] push: Option<String>,
    time_of_day: String,
    #[server(default)] default_reminder: Option<String>,
) -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let default_before = match reminders::Reminders::asked(default_reminder.as_deref())
            .map_err(|_| {
                AppError::Invalid("Choose a default reminder from the list.".into())
                    .in_field("default_reminder")
            })? {
            Some(reminders) => reminders.minutes().first().copied(),
            None => None,
        };
        let settings = ReminderSettings {
            email: email.is_some(),
            push: push.is_some(),
            day_minutes: ReminderSettings::parse_day_time(&time_of_day)?,
            default_before,
        };
        reminders::store::save_settings(&context::db()?, session.user_id, &settings).await?;
        context::return_to_referer_changed(&["tested"], &[("saved", "1")]);
        Ok(())
    })
    .await
}

/// "Send me a test": one through each channel that is on (5 an hour).
#[server(prefix = "/api", endpoint = "reminders/test")]
pub async fn send_test_reminder() -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        request::account_service()?
            .spend_test_reminder(&session)
            .await?;
        let origin = context::provided::<crate::config::PublicOrigin>("public origin")?;
        reminders::worker::send_test(
            &context::db()?,
            &context::provided::<crate::mail::Mailer>("mailer")?,
            &context::provided::<crate::push::sender::PushSender>("push sender")?,
            &origin.0,
            session.user_id,
        )
        .await?;
        context::return_to_referer_changed(&["saved"], &[("tested", "1")]);
        Ok(())
    })
    .await
}

/// "Notify me in this browser": the subscription `public/push.js` got
/// from the browser's push service, checked (the endpoint by the
/// instance's rule, the keys by their form) and stored.
#[server(prefix = "/api", endpoint = "reminders/push-subscribe")]
pub async fn push_subscribe(
    endpoint: String,
    p256dh: String,
    auth: String,
    #[server(default)] name: Option<String>,
) -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let push = context::provided::<crate::push::sender::PushSender>("push sender")?;
        let new = crate::push::NewSubscription::parse(
            &endpoint,
            &p256dh,
            &auth,
            name.as_deref(),
            push.policy(),
        )
        .await?;
        crate::push::store::subscribe(&context::db()?, session.user_id, &new).await?;
        context::return_to_referer_changed(&["saved", "tested"], &[]);
        Ok(())
    })
    .await
}

/// Removes one of the user's browsers: it shows no more reminders.
#[server(prefix = "/api", endpoint = "reminders/push-remove")]
pub async fn remove_push_subscription(id: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        // Gone already (another tab): the same page.
        crate::push::store::unsubscribe(&context::db()?, session.user_id, id).await?;
        context::return_to_referer_changed(&["saved", "tested"], &[]);
        Ok(())
    })
    .await
}
