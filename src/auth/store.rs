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
/// the email's failed sign-ins and the user's expired sessions in the same
/// transaction: the failures are forgiven only if the session exists.
pub async fn create_session_after_sign_in(
    db: &Db,
    email: &Email,
    session: &NewSession,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        sqlx::query("DELETE FROM signin_failures WHERE email = $1")
            .bind(email.as_str())
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

pub async fn delete_session(db: &Db, session_id: Uuid, user_id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(session_id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
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

pub async fn record_signin_failure(db: &Db, email: &Email) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("INSERT INTO signin_failures (email, failed_at) VALUES ($1, $2)")
            .bind(email.as_str())
            .bind(now())
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// How many sign-ins failed for `email` since `since`, and the oldest of them.
pub async fn signin_failures_since(
    db: &Db,
    email: &Email,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
            "SELECT COUNT(*), MIN(failed_at) FROM signin_failures WHERE email = $1 AND failed_at > $2",
        )
        .bind(email.as_str())
        .bind(since)
        .fetch_one(pool)
        .await
    })
}
