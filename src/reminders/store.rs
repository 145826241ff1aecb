//! The reminder tables this module owns: `reminder_settings` (a user's
//! channels and defaults) and `reminder_deliveries` (the log of what
//! became of each reminder, per channel). `reminder_schedule` belongs to
//! [`super::schedule`].

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{Channel, Delivery, DeliveryStatus, ReminderSettings, Reminders, schedule};
use crate::{
    db::{Bind, Db, Engine, WritePool as _, now},
    mail::MailStatus,
    on_db,
};

/// How long the log keeps a delivery: as long as the outbox keeps mail.
pub const KEEP_DELIVERIES_DAYS: i64 = crate::mail::store::KEEP_FINISHED_DAYS;

/// The user's settings (the defaults when they never changed them).
pub async fn settings(db: &Db, user_id: Uuid) -> Result<ReminderSettings, sqlx::Error> {
    let query = "SELECT email_enabled, push_enabled, day_minutes, default_before \
                 FROM reminder_settings WHERE user_id = $1";
    let row: Option<(bool, bool, i32, Option<i32>)> = on_db!(db, pool => {
        sqlx::query_as(query).bind(user_id).fetch_optional(pool).await
    })?;
    Ok(
        row.map_or_else(ReminderSettings::default, |(email, push, day, before)| {
            ReminderSettings {
                email,
                push,
                day_minutes: u32::try_from(day).unwrap_or(super::DEFAULT_DAY_MINUTES),
                default_before: before.and_then(|before| u32::try_from(before).ok()),
            }
        }),
    )
}

/// The reminders a new todo gets: those sent, else (when it has a due
/// date) the user's default.
pub async fn for_new_todo(
    db: &Db,
    user_id: Uuid,
    sent: Option<Reminders>,
    has_due: bool,
) -> Result<Reminders, sqlx::Error> {
    match sent {
        Some(sent) => Ok(sent),
        None if has_due => Ok(settings(db, user_id)
            .await?
            .default_before
            .and_then(|before| Reminders::one(before).ok())
            .unwrap_or_default()),
        None => Ok(Reminders::default()),
    }
}

/// Saves the user's settings; a new time of day moves the reminders of
/// their todos due on a day without a time, in the same transaction.
pub async fn save_settings(
    db: &Db,
    user_id: Uuid,
    settings: &ReminderSettings,
) -> Result<(), sqlx::Error> {
    let upsert = "INSERT INTO reminder_settings \
         (user_id, email_enabled, push_enabled, day_minutes, default_before) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
         email_enabled = excluded.email_enabled, push_enabled = excluded.push_enabled, \
         day_minutes = excluded.day_minutes, default_before = excluded.default_before";
    let before = settings.default_before.map(|before| before as i32);
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let previous: Option<(i32,)> =
            sqlx::query_as("SELECT day_minutes FROM reminder_settings WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(upsert)
            .bind(user_id)
            .bind(settings.email)
            .bind(settings.push)
            .bind(settings.day_minutes as i32)
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let previous_day = previous.map_or(super::DEFAULT_DAY_MINUTES as i32, |(day,)| day);
        if previous_day != settings.day_minutes as i32 {
            schedule::resync_user(&mut tx, user_id, now()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

/// A delivery about to be logged.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub user_id: Uuid,
    pub todo_id: Option<Uuid>,
    pub title: String,
    pub channel: Channel,
    pub due_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub late: bool,
    pub test: bool,
    pub detail: Option<String>,
    pub mail_id: Option<i64>,
    /// The browser a push goes to.
    pub push_subscription_id: Option<Uuid>,
}

/// Logs `delivery` in the caller's transaction; its id.
pub async fn record_in<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    delivery: &NewDelivery,
    at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let mut insert = QueryBuilder::new(
        "INSERT INTO reminder_deliveries (user_id, todo_id, title, channel, due_at, \
         created_at, status, late, test, detail, mail_id, push_subscription_id, sent_at) \
         VALUES (",
    );
    let sent_at = (delivery.status == DeliveryStatus::Sent).then_some(at);
    insert
        .bind(delivery.user_id)
        .and_bind(delivery.todo_id)
        .and_bind(delivery.title.clone())
        .and_bind(delivery.channel.as_str())
        .and_bind(delivery.due_at)
        .and_bind(at)
        .and_bind(delivery.status.as_str())
        .and_bind(delivery.late)
        .and_bind(delivery.test)
        .and_bind(delivery.detail.clone())
        .and_bind(delivery.mail_id)
        .and_bind(delivery.push_subscription_id)
        .and_bind(sent_at)
        .push(") RETURNING id");
    let id: Option<(i64,)> = DB::fetch_optional(tx, insert).await?;
    id.map(|(id,)| id).ok_or(sqlx::Error::RowNotFound)
}

/// Writes what became of a push logged as queued.
pub async fn finish_push(
    db: &Db,
    id: i64,
    status: DeliveryStatus,
    detail: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sent_at = (status == DeliveryStatus::Sent).then_some(at);
    on_db!(db, pool => {
        sqlx::query(
            "UPDATE reminder_deliveries SET status = $1, detail = $2, sent_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(sent_at)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// What a reminder's delivery needs to know of its todo and its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub todo_id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub completed: bool,
    pub due_date: Option<NaiveDate>,
    pub due_time: Option<NaiveTime>,
    pub email: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub email_enabled: Option<bool>,
    pub push_enabled: Option<bool>,
}

/// The todos `ids` with their owners' addresses and channels, read in the
/// worker's transaction.
pub async fn targets_in<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    ids: &[Uuid],
) -> Result<Vec<Target>, sqlx::Error> {
    let mut targets = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5_000) {
        let mut query = QueryBuilder::new(
            "SELECT t.id AS todo_id, t.user_id, t.title, t.completed, t.due_date, t.due_time, \
             u.email, u.email_verified_at, u.time_zone, s.email_enabled, s.push_enabled \
             FROM todos t JOIN users u ON u.id = t.user_id \
             LEFT JOIN reminder_settings s ON s.user_id = t.user_id WHERE t.id IN (",
        );
        for (index, id) in chunk.iter().enumerate() {
            if index > 0 {
                query.push(", ");
            }
            query.bind(*id);
        }
        query.push(")");
        targets.extend(DB::fetch_all::<Target>(tx, query).await?);
    }
    Ok(targets)
}

/// The user's address, whether it is confirmed, and their channels, for
/// a test.
pub async fn recipient(db: &Db, user_id: Uuid) -> Result<Option<(String, bool)>, sqlx::Error> {
    let row: Option<(String, Option<DateTime<Utc>>)> = on_db!(db, pool => {
        sqlx::query_as("SELECT email, email_verified_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(|(email, verified)| (email, verified.is_some())))
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    todo_id: Option<Uuid>,
    title: String,
    channel: String,
    due_at: DateTime<Utc>,
    status: String,
    late: bool,
    test: bool,
    detail: Option<String>,
    sent_at: Option<DateTime<Utc>>,
    mail_status: Option<String>,
    mail_error: Option<String>,
    mail_finished_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    /// An email's fate is its mail's: the log reads the outbox row.
    fn shown(self) -> Delivery {
        let channel = Channel::parse(&self.channel).unwrap_or(Channel::None);
        let mut status = DeliveryStatus::parse(&self.status).unwrap_or(DeliveryStatus::Failed);
        let mut detail = self.detail;
        let mut sent_at = self.sent_at;
        if status == DeliveryStatus::Queued
            && let Some(mail) = self.mail_status.as_deref().and_then(MailStatus::parse)
        {
            match mail {
                MailStatus::Queued => detail = self.mail_error,
                MailStatus::Sent => {
                    status = DeliveryStatus::Sent;
                    sent_at = self.mail_finished_at;
                }
                MailStatus::Kept => {
                    status = DeliveryStatus::Sent;
                    sent_at = self.mail_finished_at;
                    detail = Some("No mail relay is set up: kept at /dev/mail.".into());
                }
                MailStatus::Failed => {
                    status = DeliveryStatus::Failed;
                    detail = self.mail_error;
                }
            }
        }
        let rfc3339 = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Delivery {
            id: self.id,
            todo_id: self.todo_id.map(|id| id.to_string()),
            title: self.title,
            channel,
            status,
            late: self.late,
            test: self.test,
            detail,
            due_at: rfc3339(self.due_at),
            sent_at: sent_at.map(rfc3339),
        }
    }
}

/// The user's deliveries, newest first, `limit` of them from before the
/// delivery `before` (the previous page's last), or from the newest.
pub async fn deliveries(
    db: &Db,
    user_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let rows: Vec<DeliveryRow> = on_db!(db, pool => {
        let mut query = QueryBuilder::new(
            "SELECT d.id, d.todo_id, d.title, d.channel, d.due_at, d.status, d.late, d.test, \
             d.detail, d.sent_at, m.status AS mail_status, m.last_error AS mail_error, \
             m.finished_at AS mail_finished_at FROM reminder_deliveries d \
             LEFT JOIN mail_outbox m ON m.id = d.mail_id WHERE d.user_id = ",
        );
        query.push_bind(user_id);
        if let Some(before) = before {
            query.push(" AND d.id < ").push_bind(before);
        }
        query.push(" ORDER BY d.id DESC LIMIT ").push_bind(limit);
        query.build_query_as().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().map(DeliveryRow::shown).collect())
}

/// Deletes deliveries logged before `before`; how many.
pub async fn prune(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        Ok(sqlx::query("DELETE FROM reminder_deliveries WHERE created_at < $1")
            .bind(before)
            .execute(pool)
            .await?
            .rows_affected())
    })
}

/// The last day a delivery is kept, counted back from `at`.
pub fn keep_from(at: DateTime<Utc>) -> DateTime<Utc> {
    at - TimeDelta::days(KEEP_DELIVERIES_DAYS)
}
