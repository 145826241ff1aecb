//! The outbox in the database: this module owns `mail_outbox`. Mails are
//! added in the caller's transaction ([`enqueue`]); the worker claims due
//! ones ([`claim_due`]) and records each attempt's outcome.

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::{QueryBuilder, Transaction};

use super::{MailStatus, compose::Mail};
use crate::{
    db::{Bind, Db, Engine, WritePool},
    on_db,
};

/// In the caller's transaction, adds `mail` to the outbox, due at once.
pub async fn enqueue<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    mail: &Mail,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let mut insert = QueryBuilder::new(
        "INSERT INTO mail_outbox (recipient, kind, user_id, subject, body_text, body_html, \
         status, created_at, next_attempt_at) VALUES (",
    );
    insert
        .bind(mail.to.clone())
        .and_bind(mail.kind.as_str())
        .and_bind(mail.user_id)
        .and_bind(mail.subject.clone())
        .and_bind(mail.text.clone())
        .and_bind(mail.html.clone())
        .and_bind(MailStatus::Queued.as_str())
        .and_bind(now)
        .and_bind(now)
        .push(") RETURNING id");
    let (id,): (i64,) = DB::fetch_optional(tx, insert)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(id)
}

/// Adds `mail` to the outbox on its own (nothing else changes with it).
pub async fn queue(db: &Db, mail: &Mail) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let id = enqueue(&mut tx, mail, crate::db::now()).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The queued mails, and when the oldest of them was queued.
pub async fn backlog(db: &Db) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    // Written, not bound: see `claim_in`.
    let query = format!(
        "SELECT COUNT(*), MIN(created_at) FROM mail_outbox WHERE status = '{}'",
        MailStatus::Queued.as_str()
    );
    on_db!(db, pool => {
        sqlx::query_as(&query)
            .fetch_one(pool)
            .await
    })
}

/// A mail the worker is to send now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Counting this one.
    pub attempts: i32,
}

/// Claims up to `limit` due mails for `lease`: nobody else sends them
/// until it runs out (a worker that died while sending leaves them to be
/// claimed again then). Each claim counts as an attempt.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<ClaimedMail>, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let claimed = claim_in(&mut tx, now, lease, limit).await?;
        tx.commit().await?;
        Ok(claimed)
    })
}

async fn claim_in<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<ClaimedMail>, sqlx::Error> {
    // Rows another instance is claiming right now are skipped, not waited
    // for (PostgreSQL); SQLite's write transaction holds the database.
    // The status is written into the text, not bound: it is the condition
    // of the partial index `mail_outbox_due`, which a bound value would
    // make SQLite prepare the statement again for on every run (and keep
    // PostgreSQL's generic plan off that index).
    let mut due = QueryBuilder::new(format!(
        "SELECT id FROM mail_outbox WHERE status = '{}'",
        MailStatus::Queued.as_str()
    ));
    due.push(" AND next_attempt_at <= ")
        .bind(now)
        .push(" AND (locked_until IS NULL OR locked_until <= ")
        .bind(now)
        .push(") ORDER BY next_attempt_at, id LIMIT ")
        .bind(limit)
        .push(DB::FOR_UPDATE_SKIP_LOCKED);
    let ids: Vec<(i64,)> = DB::fetch_all(tx, due).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut claim =
        QueryBuilder::new("UPDATE mail_outbox SET attempts = attempts + 1, locked_until = ");
    claim.bind(now + lease).push(" WHERE id IN (");
    for (index, (id,)) in ids.iter().enumerate() {
        if index > 0 {
            claim.push(", ");
        }
        claim.bind(*id);
    }
    claim.push(") RETURNING id, recipient, subject, body_text, body_html, attempts");
    let mut claimed: Vec<ClaimedMail> = DB::fetch_all(tx, claim).await?;
    claimed.sort_by_key(|mail| mail.id);
    Ok(claimed)
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Kept for `/dev/mail`: no relay is configured.
    Kept,
    /// A temporary refusal: tried again at `retry_at`.
    RetryAt {
        retry_at: DateTime<Utc>,
        error: String,
    },
    /// Refused for good (or out of attempts).
    Failed {
        error: String,
    },
}

/// Records the outcome of each attempt of a batch and ends each claim,
/// in one transaction (one commit, however many mails). A mail that is
/// done (sent or failed) loses its bodies: their links may be secrets, and
/// nobody reads them again; kept mail keeps them for `/dev/mail`.
pub async fn record_all(
    db: &Db,
    outcomes: &[(i64, Outcome)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if outcomes.is_empty() {
        return Ok(());
    }
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for (id, outcome) in outcomes {
            record_query(*id, outcome, now).build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

fn record_query<'q, DB: Engine>(
    id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> QueryBuilder<'q, DB> {
    let mut update = QueryBuilder::new("UPDATE mail_outbox SET locked_until = NULL, status = ");
    match outcome {
        Outcome::Sent => {
            update
                .bind(MailStatus::Sent.as_str())
                .push(", body_text = '', body_html = '', finished_at = ")
                .bind(now);
        }
        Outcome::Kept => {
            update
                .bind(MailStatus::Kept.as_str())
                .push(", finished_at = ")
                .bind(now);
        }
        Outcome::RetryAt { retry_at, error } => {
            update
                .bind(MailStatus::Queued.as_str())
                .push(", next_attempt_at = ")
                .bind(*retry_at)
                .push(", last_error = ")
                .bind(error.clone());
        }
        Outcome::Failed { error } => {
            update
                .bind(MailStatus::Failed.as_str())
                .push(", body_text = '', body_html = '', finished_at = ")
                .bind(now)
                .push(", last_error = ")
                .bind(error.clone());
        }
    }
    update.push(" WHERE id = ").bind(id);
    update
}

/// Gives back claimed mails that were not tried (the worker is stopping):
/// due again at once, the attempt not counted.
pub async fn release(db: &Db, ids: &[i64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    on_db!(db, pool => {
        let mut update = QueryBuilder::new(
            "UPDATE mail_outbox SET locked_until = NULL, attempts = attempts - 1 WHERE id IN (",
        );
        for (index, id) in ids.iter().enumerate() {
            if index > 0 {
                update.push(", ");
            }
            update.bind(*id);
        }
        update.push(")");
        update.build().execute(pool).await?;
        Ok(())
    })
}

/// A mail as the console lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailRecord {
    pub id: i64,
    pub recipient: String,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Up to `limit` mails older than the mail `before` (all when `None`),
/// newest first.
pub async fn mails(
    db: &Db,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<MailRecord>, sqlx::Error> {
    on_db!(db, pool => {
        let mut query = QueryBuilder::new(
            "SELECT id, recipient, kind, status, attempts, last_error, created_at, \
             next_attempt_at, finished_at FROM mail_outbox",
        );
        if let Some(before) = before {
            query.push(" WHERE id < ").bind(before);
        }
        query.push(" ORDER BY id DESC LIMIT ").bind(limit);
        query.build_query_as().fetch_all(pool).await
    })
}

/// A mail kept in development, with what it says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeptMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: DateTime<Utc>,
}

/// The newest `limit` kept mails, newest first.
pub async fn kept(db: &Db, limit: i64) -> Result<Vec<KeptMail>, sqlx::Error> {
    on_db!(db, pool => {
        let mut query = QueryBuilder::new(
            "SELECT id, recipient, subject, body_text, created_at FROM mail_outbox \
             WHERE status = ",
        );
        query
            .bind(MailStatus::Kept.as_str())
            .push(" ORDER BY id DESC LIMIT ")
            .bind(limit);
        query.build_query_as().fetch_all(pool).await
    })
}

/// How long the outbox keeps a mail once it is done (sent, failed or
/// kept): long enough to answer "did my mail go out?", bounded so the
/// table does not grow for ever.
pub const KEEP_FINISHED_DAYS: i64 = 30;

/// Deletes mails finished before `before`; how many. Queued mail is never
/// touched.
pub async fn prune_finished(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        let mut delete = QueryBuilder::new(
            "DELETE FROM mail_outbox WHERE status <> 'queued' AND finished_at < ",
        );
        delete.bind(before);
        Ok(delete.build().execute(pool).await?.rows_affected())
    })
}
