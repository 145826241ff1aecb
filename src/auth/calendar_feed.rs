//! The secret of a user's calendar feed: the last part of a private
//! address (`/calendar/<secret>.ics`) a calendar app fetches without
//! signing in. It is a read credential like a personal API token, so it is
//! kept the same way: 32 random bytes in base64url, shown once, stored as
//! its SHA-256, and ended with everything else that ends an account's
//! sessions (signing out everywhere, a password change or reset, an
//! administrator). This file owns the `calendar_feeds` table.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{security_log::Event, store::record};
use crate::{
    calendar::TimeZone,
    db::{Bind as _, Db, Engine, WritePool as _},
    error::AppError,
    on_db,
};

/// Base64url of 32 bytes: 256 bits, far past guessing.
const SECRET_CHARS: usize = 43;

/// A feed's secret, as made or as presented.
pub struct FeedSecret(String);

impl std::fmt::Debug for FeedSecret {
    /// Never printed: it reads someone's todos.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("FeedSecret(..)")
    }
}

impl FeedSecret {
    pub fn generate() -> Result<Self, AppError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(AppError::internal)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The secret in a requested file name (`<secret>.ics`), when it has
    /// the form of one; anything else cannot name a feed and is not looked
    /// up.
    pub fn from_file_name(file: &str) -> Option<Self> {
        let secret = file.strip_suffix(".ics")?;
        let plausible = secret.len() == SECRET_CHARS
            && secret
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        plausible.then(|| Self(secret.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> String {
        crate::digest::sha256_hex(&self.0)
    }
}

/// The address a calendar app subscribes to.
pub fn feed_url(origin: &str, secret: &FeedSecret) -> String {
    format!(
        "{}/calendar/{}.ics",
        origin.trim_end_matches('/'),
        secret.expose()
    )
}

/// The address with `webcal://` for `https://` (or `http://`): the link
/// that makes a phone or a desktop offer to subscribe.
pub fn webcal_url(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    format!("webcal://{rest}")
}

/// Whose feed a secret opens, with what the feed is written in.
#[derive(Debug, Clone, Copy)]
pub struct FeedOwner {
    pub user_id: Uuid,
    pub time_zone: TimeZone,
}

/// The account whose feed `secret` is, unless it has none such or is
/// disabled (a disabled account's feed answers as if it did not exist).
pub async fn owner(db: &Db, secret: &FeedSecret) -> Result<Option<FeedOwner>, sqlx::Error> {
    let query = "SELECT u.id, u.time_zone FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
                 WHERE f.token_hash = $1 AND u.disabled_at IS NULL";
    let row: Option<(Uuid, String)> = on_db!(db, pool => {
        sqlx::query_as(query).bind(secret.hash()).fetch_optional(pool).await
    })?;
    Ok(row.map(|(user_id, zone)| FeedOwner {
        user_id,
        time_zone: TimeZone::from_stored(&zone),
    }))
}

/// When the user's current feed address was made; `None` without one.
pub async fn made_at(db: &Db, user_id: Uuid) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let row: Option<(DateTime<Utc>,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT created_at FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(|(at,)| at))
}

/// Gives the user the feed `secret`, replacing the one they had (whose
/// address then answers 404), and logs it.
pub async fn replace(
    db: &Db,
    user_id: Uuid,
    secret: &FeedSecret,
    at: DateTime<Utc>,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, \
             created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(secret.hash())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, event).await?;
        tx.commit().await
    })
}

/// Turns the user's feed off, logging it; `false` when there was none.
pub async fn remove(db: &Db, user_id: Uuid, event: &Event<'_>) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let removed = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if removed {
            record(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(removed)
    })
}

/// Ends the user's feed in the caller's transaction (with their sessions).
pub(in crate::auth) async fn end<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM calendar_feeds WHERE user_id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_43_url_safe_characters_and_reads_back_from_its_file_name() {
        let secret = FeedSecret::generate().unwrap();
        assert_eq!(secret.expose().len(), SECRET_CHARS);
        let file = format!("{}.ics", secret.expose());
        assert_eq!(
            FeedSecret::from_file_name(&file).unwrap().expose(),
            secret.expose()
        );
        assert_ne!(
            FeedSecret::generate().unwrap().expose(),
            secret.expose(),
            "two secrets alike"
        );
    }

    #[test]
    fn file_names_that_cannot_be_a_feed_are_not_looked_up() {
        let good = "A".repeat(SECRET_CHARS);
        for file in [
            good.clone(),
            format!("{good}.ICS"),
            format!("{}.ics", "A".repeat(SECRET_CHARS - 1)),
            format!("{}.ics", "A".repeat(SECRET_CHARS + 1)),
            format!("{}%2E.ics", &good[..SECRET_CHARS - 3]),
            format!("{}/.ics", &good[..SECRET_CHARS - 1]),
            ".ics".into(),
        ] {
            assert!(FeedSecret::from_file_name(&file).is_none(), "{file}");
        }
        assert!(FeedSecret::from_file_name(&format!("{good}.ics")).is_some());
    }
}
