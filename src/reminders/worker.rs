//! The reminder loop every instance runs: claim the reminders that are
//! due, queue each one's deliveries (a mail in the outbox, a push per
//! subscribed browser; the log rows), and mark it fired, all in one
//! transaction; then send the pushes, and sleep until the next one is
//! due, the poll interval passes (reminders another instance scheduled)
//! or the instance stops.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt as _;
use tokio::sync::watch;
use uuid::Uuid;

use super::{
    Channel, DeliveryStatus,
    schedule::{self, DueReminder},
    store::{self, NewDelivery, Target},
};
use crate::{
    calendar::{Clock, Due, TimeZone, day_heading},
    db::{Db, WritePool as _},
    mail::{Mailer, compose},
    on_db,
    push::{
        PushMessage,
        sender::{PushOutcome, PushSender},
        store::SubscriptionRow,
    },
};

/// Reminders claimed in one transaction.
const CLAIM_BATCH: i64 = 500;
/// A reminder sent more than this after its instant is marked late.
pub const LATE_AFTER: TimeDelta = TimeDelta::minutes(2);
/// One that could not be sent within this is dropped, with a log entry.
pub const DROP_AFTER: TimeDelta = TimeDelta::hours(24);
/// Pushes sent at once: each waits on a push service's answer.
const PUSHES_AT_ONCE: usize = 8;

/// What the worker needs besides the database.
#[derive(Clone)]
pub struct ReminderWorker {
    pub db: Db,
    pub mailer: Mailer,
    pub push: PushSender,
    pub clock: Clock,
    pub origin: String,
    /// The longest sleep: how soon reminders another instance scheduled
    /// are seen.
    pub poll_interval: Duration,
}

/// Runs until `stop` turns true.
pub async fn run(worker: ReminderWorker, mut stop: watch::Receiver<bool>) {
    loop {
        loop {
            match fire_due(&worker).await {
                Ok(fired) if fired < CLAIM_BATCH as usize => break,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "could not fire due reminders");
                    break;
                }
            }
            if *stop.borrow() {
                return;
            }
        }
        let wait = match next_due(&worker.db).await {
            Ok(Some(at)) => (at - worker.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(worker.poll_interval),
            _ => worker.poll_interval,
        };
        tokio::select! {
            () = tokio::time::sleep(wait.max(Duration::from_millis(50))) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

async fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let next = schedule::next_due(&mut tx).await?;
        tx.commit().await?;
        Ok(next)
    })
}

/// Fires one batch of due reminders; how many it claimed. What is due,
/// and how late, is read on the worker's clock; what is written (the
/// outbox, the log) carries the system's time, as every other row does.
pub async fn fire_due(worker: &ReminderWorker) -> Result<usize, sqlx::Error> {
    let now = worker.clock.now();
    let written_at = crate::db::now();
    let (claimed, mailed, pushes) = on_db!(&worker.db, pool => {
        let mut tx = pool.begin_write().await?;
        let due = schedule::claim_due(&mut tx, now, CLAIM_BATCH).await?;
        if due.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let ids: Vec<uuid::Uuid> = due.iter().map(|reminder| reminder.todo_id).collect();
        let targets = store::targets_in(&mut tx, &ids).await?;
        let pushing: Vec<Uuid> = targets
            .iter()
            .filter(|target| target.push_enabled.unwrap_or(true))
            .map(|target| target.user_id)
            .collect();
        let browsers = crate::push::store::of_users_in(&mut tx, &pushing).await?;
        let mut mailed = 0;
        let mut pushes = Vec::new();
        for reminder in &due {
            let Some(target) = targets.iter().find(|target| target.todo_id == reminder.todo_id)
            else {
                continue;
            };
            let theirs: Vec<&SubscriptionRow> = if target.push_enabled.unwrap_or(true) {
                browsers.iter().filter(|browser| browser.user_id == target.user_id).collect()
            } else {
                Vec::new()
            };
            for delivery in deliveries(worker, reminder, target, &theirs, now) {
                let mut delivery = delivery;
                if let Some(mail) = delivery.mail.take() {
                    delivery.log.mail_id =
                        Some(crate::mail::store::enqueue(&mut tx, &mail, written_at).await?);
                    mailed += 1;
                }
                let id = store::record_in(&mut tx, &delivery.log, written_at).await?;
                if let Some((browser, message)) = delivery.push.take() {
                    pushes.push(PushJob { delivery_id: id, browser, message });
                }
            }
        }
        tx.commit().await?;
        (due.len(), mailed, pushes)
    });
    if mailed > 0 {
        worker.mailer.wake();
    }
    send_pushes(&worker.db, &worker.push, pushes).await;
    Ok(claimed)
}

/// A push logged as queued, to send once its transaction is committed.
struct PushJob {
    delivery_id: i64,
    browser: SubscriptionRow,
    message: Vec<u8>,
}

/// Sends the pushes a few at once and logs what became of each: sent;
/// failed, with why; or, when the push service no longer knows the
/// browser (404, 410), failed and its subscription removed.
async fn send_pushes(db: &Db, sender: &PushSender, jobs: Vec<PushJob>) {
    futures::stream::iter(jobs)
        .for_each_concurrent(PUSHES_AT_ONCE, |job| async move {
            let outcome = sender.send(&job.browser, &job.message).await;
            let at = crate::db::now();
            let (status, detail) = match &outcome {
                PushOutcome::Sent => (DeliveryStatus::Sent, format!("To {}.", job.browser.name)),
                PushOutcome::Gone { status } => (
                    DeliveryStatus::Failed,
                    format!(
                        "{} no longer takes pushes (its push service answered {status}); it was \
                         removed.",
                        job.browser.name
                    ),
                ),
                PushOutcome::Failed(why) => (
                    DeliveryStatus::Failed,
                    format!("To {}: {why}", job.browser.name),
                ),
            };
            let recorded = async {
                store::finish_push(db, job.delivery_id, status, Some(&detail), at).await?;
                match outcome {
                    PushOutcome::Sent => crate::push::store::mark_sent(db, job.browser.id, at).await,
                    PushOutcome::Gone { .. } => crate::push::store::forget(db, job.browser.id).await,
                    PushOutcome::Failed(_) => Ok(()),
                }
            };
            if let Err(error) = recorded.await {
                tracing::warn!(%error, delivery = job.delivery_id, "could not record a push's outcome");
            }
        })
        .await;
}

struct Planned {
    log: NewDelivery,
    mail: Option<compose::Mail>,
    push: Option<(SubscriptionRow, Vec<u8>)>,
}

/// What one due reminder turns into: a delivery per channel the user has
/// on (a push per browser), or a log entry that says why it went nowhere.
fn deliveries(
    worker: &ReminderWorker,
    reminder: &DueReminder,
    target: &Target,
    browsers: &[&SubscriptionRow],
    now: DateTime<Utc>,
) -> Vec<Planned> {
    if target.completed {
        return Vec::new();
    }
    let lateness = now - reminder.remind_at;
    let late = lateness > LATE_AFTER;
    let entry = |channel, status, detail: Option<String>| NewDelivery {
        user_id: reminder.user_id,
        todo_id: Some(reminder.todo_id),
        title: target.title.clone(),
        channel,
        due_at: reminder.remind_at,
        status,
        late,
        test: false,
        detail,
        mail_id: None,
        push_subscription_id: None,
    };
    if lateness > DROP_AFTER {
        tracing::warn!(
            todo = %reminder.todo_id,
            due_at = %reminder.remind_at,
            "reminder dropped: due more than 24 hours before it could be sent"
        );
        return vec![Planned {
            log: entry(
                Channel::None,
                DeliveryStatus::Dropped,
                Some("Due more than 24 hours before Taskward could send it.".into()),
            ),
            mail: None,
            push: None,
        }];
    }
    let zone = TimeZone::from_stored(&target.time_zone);
    let due = due_words(target, zone, now);
    let message = || {
        PushMessage {
            title: target.title.clone(),
            body: if late {
                format!("Was due {due} (sent late)")
            } else {
                format!("Due {due}")
            },
            url: format!(
                "{}/todos?open={}",
                worker.origin.trim_end_matches('/'),
                reminder.todo_id
            ),
            tag: reminder.todo_id.to_string(),
        }
        .to_bytes()
    };
    plan(
        &worker.mailer,
        target.email_enabled.unwrap_or(true),
        target.email_verified_at.is_some(),
        || {
            compose::reminder(
                &target.email,
                reminder.user_id,
                &target.title,
                &due,
                late,
                &worker.origin,
            )
        },
        browsers,
        message,
        entry,
    )
}

/// A delivery per channel that is on (email: the mail `mail` makes, when
/// it can go; push: `message` to each of `browsers`), or one entry that
/// says no channel is.
fn plan(
    mailer: &Mailer,
    email_on: bool,
    verified: bool,
    mail: impl FnOnce() -> compose::Mail,
    browsers: &[&SubscriptionRow],
    message: impl Fn() -> Vec<u8>,
    entry: impl Fn(Channel, DeliveryStatus, Option<String>) -> NewDelivery,
) -> Vec<Planned> {
    let mut planned = Vec::new();
    if email_on {
        let (status, detail) = email_refusal(mailer, verified);
        planned.push(Planned {
            mail: (status == DeliveryStatus::Queued).then(mail),
            log: entry(Channel::Email, status, detail),
            push: None,
        });
    }
    for browser in browsers {
        let mut log = entry(
            Channel::Push,
            DeliveryStatus::Queued,
            Some(format!("To {}.", browser.name)),
        );
        log.push_subscription_id = Some(browser.id);
        planned.push(Planned {
            log,
            mail: None,
            push: Some(((*browser).clone(), message())),
        });
    }
    if planned.is_empty() {
        planned.push(Planned {
            log: entry(
                Channel::None,
                DeliveryStatus::Skipped,
                Some(
                    "No channel is on: turn on email, or this browser\u{2019}s notifications, on \
                     the notifications page."
                        .into(),
                ),
            ),
            mail: None,
            push: None,
        });
    }
    planned
}

/// Whether an email can go: `Queued` (it goes), or `Skipped` and why not.
fn email_refusal(mailer: &Mailer, verified: bool) -> (DeliveryStatus, Option<String>) {
    if !mailer.can_send() {
        (
            DeliveryStatus::Skipped,
            Some("This instance cannot send mail (no SMTP_URL is set).".into()),
        )
    } else if !verified {
        (
            DeliveryStatus::Skipped,
            Some("Your email address is not confirmed yet.".into()),
        )
    } else {
        (DeliveryStatus::Queued, None)
    }
}

/// "Send me a test": a test reminder now through each channel the user
/// has on (429 past [`crate::auth::attempts::TEST_REMINDERS_PER_HOUR`] an
/// hour, spent by the caller); how many deliveries it logged. Its pushes
/// are sent before it returns, so the log it answers with says whether
/// they went.
pub async fn send_test(
    db: &Db,
    mailer: &Mailer,
    push: &PushSender,
    origin: &str,
    user_id: Uuid,
) -> Result<usize, sqlx::Error> {
    let settings = store::settings(db, user_id).await?;
    let Some((email, verified)) = store::recipient(db, user_id).await? else {
        return Ok(0);
    };
    let browsers = if settings.push {
        crate::push::store::of_user(db, user_id).await?
    } else {
        Vec::new()
    };
    let browsers: Vec<&SubscriptionRow> = browsers.iter().collect();
    let now = crate::db::now();
    let entry = |channel, status, detail: Option<String>| NewDelivery {
        user_id,
        todo_id: None,
        title: "Test reminder".into(),
        channel,
        due_at: now,
        status,
        late: false,
        test: true,
        detail,
        mail_id: None,
        push_subscription_id: None,
    };
    let message = || {
        PushMessage {
            title: "Test reminder".into(),
            body: "This is how Taskward\u{2019}s reminders look in this browser.".into(),
            url: format!("{}/account/notifications", origin.trim_end_matches('/')),
            tag: "taskward-test".into(),
        }
        .to_bytes()
    };
    let planned = plan(
        mailer,
        settings.email,
        verified,
        || compose::reminder_test(&email, user_id, origin),
        &browsers,
        message,
        entry,
    );
    let count = planned.len();
    let (mailed, pushes) = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let mut mailed = false;
        let mut pushes = Vec::new();
        for mut delivery in planned {
            if let Some(mail) = delivery.mail.take() {
                delivery.log.mail_id = Some(crate::mail::store::enqueue(&mut tx, &mail, now).await?);
                mailed = true;
            }
            let id = store::record_in(&mut tx, &delivery.log, now).await?;
            if let Some((browser, message)) = delivery.push.take() {
                pushes.push(PushJob { delivery_id: id, browser, message });
            }
        }
        tx.commit().await?;
        (mailed, pushes)
    });
    if mailed {
        mailer.wake();
    }
    send_pushes(db, push, pushes).await;
    Ok(count)
}

/// When the todo is due, in its owner's words: "today at 09:00",
/// "tomorrow", "on Thursday 24 December at 18:30".
fn due_words(target: &Target, zone: TimeZone, now: DateTime<Utc>) -> String {
    let Some(date) = target.due_date else {
        return "soon".to_owned();
    };
    let due = Due {
        date,
        time: target.due_time,
    };
    let today = zone.date_at(now);
    let day = match (due.date - today).num_days() {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        _ => format!("on {}", day_heading(due.date)),
    };
    match due.time {
        Some(time) => format!("{day} at {}", time.format("%H:%M")),
        None => day,
    }
}
