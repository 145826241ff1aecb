//! The browsers each user subscribed to push. This file owns the
//! `push_subscriptions` table.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{MAX_SUBSCRIPTIONS_PER_USER, NewSubscription};
use crate::{
    db::{Bind as _, Db, Engine, StoreError, WritePool as _},
    on_db,
};

/// Why a subscription was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushRefusal {
    /// The user has [`MAX_SUBSCRIPTIONS_PER_USER`] browsers already.
    TooMany { limit: i64 },
}

/// A subscription as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, name, created_at, last_sent_at";

/// Stores `user_id`'s subscription: a new row, or the row of the same
/// endpoint (the same browser) taken over with its new keys, whoever
/// subscribed it before. Refused past [`MAX_SUBSCRIPTIONS_PER_USER`].
/// Whether it is new to the user, and the row.
pub async fn subscribe(
    db: &Db,
    user_id: Uuid,
    new: &NewSubscription,
) -> Result<(bool, SubscriptionRow), StoreError<PushRefusal>> {
    let now = crate::db::now();
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        if crate::db::lock_user_row(&mut tx, user_id).await?.is_none() {
            return Err(StoreError::NoAccount);
        }
        let existing: Option<(Uuid, Uuid)> =
            sqlx::query_as("SELECT id, user_id FROM push_subscriptions WHERE endpoint = $1")
                .bind(&new.endpoint)
                .fetch_optional(&mut *tx)
                .await?;
        let mine = existing.is_some_and(|(_, owner)| owner == user_id);
        if !mine {
            let (count,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if count >= MAX_SUBSCRIPTIONS_PER_USER {
                return Err(StoreError::Refused(PushRefusal::TooMany {
                    limit: MAX_SUBSCRIPTIONS_PER_USER,
                }));
            }
        }
        let row: SubscriptionRow = match existing {
            Some((id, _)) => {
                sqlx::query_as(&format!(
                    "UPDATE push_subscriptions SET user_id = $1, p256dh = $2, auth = $3, \
                     name = $4 WHERE id = $5 RETURNING {COLUMNS}"
                ))
                .bind(user_id)
                .bind(&new.p256dh)
                .bind(&new.auth)
                .bind(&new.name)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
            }
            None => {
                sqlx::query_as(&format!(
                    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, name, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
                ))
                .bind(Uuid::new_v4())
                .bind(user_id)
                .bind(&new.endpoint)
                .bind(&new.p256dh)
                .bind(&new.auth)
                .bind(&new.name)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        tx.commit().await?;
        Ok((!mine, row))
    })
}

/// The user's subscriptions, newest first.
pub async fn of_user(db: &Db, user_id: Uuid) -> Result<Vec<SubscriptionRow>, sqlx::Error> {
    let query = format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC"
    );
    on_db!(db, pool => {
        sqlx::query_as(&query).bind(user_id).fetch_all(pool).await
    })
}

/// The subscriptions of the users `user_ids`, read in the caller's
/// transaction (the reminder worker's).
pub async fn of_users_in<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_ids: &[Uuid],
) -> Result<Vec<SubscriptionRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for chunk in user_ids.chunks(5_000) {
        let mut query = QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM push_subscriptions WHERE user_id IN ("
        ));
        for (index, id) in chunk.iter().enumerate() {
            if index > 0 {
                query.push(", ");
            }
            query.bind(*id);
        }
        query.push(") ORDER BY created_at");
        rows.extend(DB::fetch_all::<SubscriptionRow>(tx, query).await?);
    }
    Ok(rows)
}

/// One subscription, read for a delivery.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<SubscriptionRow>, sqlx::Error> {
    let query = format!("SELECT {COLUMNS} FROM push_subscriptions WHERE id = $1");
    on_db!(db, pool => {
        sqlx::query_as(&query).bind(id).fetch_optional(pool).await
    })
}

/// Deletes the user's subscription `id`; whether there was one.
pub async fn unsubscribe(db: &Db, user_id: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        Ok(sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
            > 0)
    })
}

/// Deletes a subscription the push service says has ended (404, 410).
pub async fn forget(db: &Db, id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Notes that a push reached the subscription `id`'s service.
pub async fn mark_sent(db: &Db, id: Uuid, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE push_subscriptions SET last_sent_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}
