//! Account and session queries. Each is written once and runs on SQLite or
//! PostgreSQL through `on_db!`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::email::Email;
use crate::{
    db::{Db, now},
    on_db,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A live session, with its user's current email.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub email: String,
    pub user_created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub todos_version: i64,
}

pub enum CreateUser {
    Created(UserRecord),
    EmailTaken,
}

pub async fn create_user(
    db: &Db,
    email: &Email,
    password_hash: &str,
) -> Result<CreateUser, sqlx::Error> {
    let user = UserRecord {
        id: Uuid::new_v4(),
        email: email.as_str().to_owned(),
        password_hash: password_hash.to_owned(),
        created_at: now(),
    };
    let inserted = on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .execute(pool)
        .await
        .map(|_| ())
    });
    match inserted {
        Ok(_) => Ok(CreateUser::Created(user)),
        // The unique index on lower(email) settles races between sign-ups.
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Ok(CreateUser::EmailTaken)
        }
        Err(error) => Err(error),
    }
}

pub async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<UserRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, UserRecord>(
            "SELECT id, email, password_hash, created_at FROM users WHERE lower(email) = lower($1)",
        )
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
    })
}

pub async fn find_user(db: &Db, user_id: Uuid) -> Result<Option<UserRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, UserRecord>(
            "SELECT id, email, password_hash, created_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })
}

/// Sets a new password hash and ends every session of the user but `keep`,
/// together: a password change that left a stolen session alive, or ended
/// sessions without changing the password, would be worse than either.
pub async fn change_password_ending_other_sessions(
    db: &Db,
    user_id: Uuid,
    password_hash: &str,
    keep: Uuid,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now())
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await
    })
}

/// Deletes the user; their todos and sessions go with them (ON DELETE CASCADE).
pub async fn delete_user(db: &Db, user_id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// A session about to start.
pub struct NewSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

const INSERT_SESSION: &str =
    "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";

/// Starts the first session of a new account.
pub async fn create_session(db: &Db, session: &NewSession) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query(INSERT_SESSION)
            .bind(session.id)
            .bind(session.user_id)
            .bind(now())
            .bind(session.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Starts a session for a user who just proved their password, forgetting
/// the attempts counted against `attempts_key` and the user's expired
/// sessions in the same transaction: the attempts are forgiven only if the
/// session exists.
pub async fn create_session_after_sign_in(
    db: &Db,
    attempts_key: &str,
    session: &NewSession,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        sqlx::query("DELETE FROM attempt_counters WHERE key = $1")
            .bind(attempts_key)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2")
            .bind(session.user_id)
            .bind(now())
            .execute(&mut *transaction)
            .await?;
        sqlx::query(INSERT_SESSION)
            .bind(session.id)
            .bind(session.user_id)
            .bind(now())
            .bind(session.expires_at)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await
    })
}

/// The one indexed lookup a request with a token costs.
pub async fn find_session(db: &Db, session_id: Uuid) -> Result<Option<SessionRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, SessionRecord>(
            "SELECT s.user_id, u.email, u.created_at AS user_created_at, s.expires_at, \
                    u.todos_version \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1",
        )
        .bind(session_id)
        .fetch_optional(pool)
        .await
    })
}

/// Ends one session of the user; `false` when it had ended already.
pub async fn delete_session(db: &Db, session_id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(session_id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() > 0)
    })
}

/// Ends every session of the user.
pub async fn delete_sessions_of_user(db: &Db, user_id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Counts one attempt against `key` in its current window (which ends at
/// `expires_at`, or starts afresh when the last one has ended): one
/// statement, so concurrent attempts each get their own count. Returns the
/// count and when the window ends.
pub async fn count_attempt(
    db: &Db,
    key: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(i64, DateTime<Utc>), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (i64, DateTime<Utc>)>(
            "INSERT INTO attempt_counters (key, count, expires_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               count = CASE WHEN attempt_counters.expires_at <= $3 THEN 1 \
                            ELSE attempt_counters.count + 1 END, \
               expires_at = CASE WHEN attempt_counters.expires_at <= $3 THEN $2 \
                                 ELSE attempt_counters.expires_at END \
             RETURNING count, expires_at",
        )
        .bind(key)
        .bind(expires_at)
        .bind(now)
        .fetch_one(pool)
        .await
    })
}

/// Forgets the attempts counted against `key`.
pub async fn forget_attempts(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM attempt_counters WHERE key = $1")
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Records that failed password checks locked `email`'s account (if there
/// is one: an unknown email is counted alike, and this changes nothing).
pub async fn mark_locked(db: &Db, email: &Email, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE users SET locked_at = $1 WHERE lower(email) = lower($2)")
            .bind(at)
            .bind(email.as_str())
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// When failed password checks last locked the user's account.
pub async fn locked_at(db: &Db, user_id: Uuid) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (Option<DateTime<Utc>>,)>("SELECT locked_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
            .map(|row| row.and_then(|(at,)| at))
    })
}

/// Deletes attempt counters whose window has ended and sessions past their
/// absolute end; returns how many rows went.
pub async fn prune_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        let counters = sqlx::query("DELETE FROM attempt_counters WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected();
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected();
        Ok(counters + sessions)
    })
}
