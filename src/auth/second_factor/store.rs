//! The second-factor tables: `totp_authenticators`, `recovery_codes`,
//! `second_factor_challenges`, `passkeys` and `passkey_ceremonies`,
//! touched by nothing else (the session lookup only asks whether an
//! account has a second factor). A change that
//! comes with a security event writes it in the same transaction; a code
//! is spent with a conditional write, so two requests with one code
//! cannot both pass.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::super::{
    security_log::Event,
    store::{NewSession, record, start_signed_in_session},
};
use crate::{
    db::{Bind, Db, Engine, WritePool as _, now},
    on_db,
};

/// An account's authenticator, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthenticatorRow {
    /// Base32.
    pub secret: String,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// The account's authenticator, confirmed or being set up.
pub async fn authenticator(
    db: &Db,
    user_id: Uuid,
) -> Result<Option<AuthenticatorRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT secret, confirmed_at FROM totp_authenticators WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })
}

/// The second factors the account signs in with, as the API names them:
/// `totp` (a confirmed authenticator) and `passkey`.
pub async fn methods(db: &Db, user_id: Uuid) -> Result<Vec<&'static str>, sqlx::Error> {
    let (totp, passkey): (bool, bool) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM totp_authenticators \
                            WHERE user_id = $1 AND confirmed_at IS NOT NULL), \
                    EXISTS (SELECT 1 FROM passkeys WHERE user_id = $1)",
        )
        .bind(user_id)
        .fetch_one(pool)
        .await
    })?;
    Ok([(totp, "totp"), (passkey, "passkey")]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect())
}

/// Whether the account signs in with a second factor.
pub async fn has_second_factor(db: &Db, user_id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(!methods(db, user_id).await?.is_empty())
}

/// Starts setting up an authenticator with `secret` (base32), replacing
/// one being set up; `false` (and nothing written) when the account has a
/// confirmed one.
pub async fn begin_setup(db: &Db, user_id: Uuid, secret: &str) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let confirmed: Option<(Option<DateTime<Utc>>,)> = sqlx::query_as(&format!(
            "SELECT confirmed_at FROM totp_authenticators WHERE user_id = $1{}",
            pool.for_update()
        ))
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if confirmed.is_some_and(|(at,)| at.is_some()) {
            return Ok(false);
        }
        sqlx::query("DELETE FROM totp_authenticators WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO totp_authenticators (user_id, secret, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Confirms the authenticator being set up with the code of `step`, and
/// gives the account `code_hashes` as its recovery codes, logging `event`;
/// `false` (nothing written) when none is being set up or that step's
/// code was used already.
pub async fn confirm_setup(
    db: &Db,
    user_id: Uuid,
    step: u64,
    code_hashes: &[String],
    event: &Event<'_>,
) -> Result<bool, sqlx::Error> {
    let step = step_value(step);
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let confirmed = sqlx::query(
            "UPDATE totp_authenticators SET confirmed_at = $1, last_used_step = $2 \
             WHERE user_id = $3 AND confirmed_at IS NULL AND last_used_step < $2",
        )
        .bind(now())
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !confirmed {
            return Ok(false);
        }
        set_recovery_codes(&mut tx, user_id, code_hashes).await?;
        record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Replaces the account's recovery codes (the old ones stop working),
/// logging `event`; `false` when the account has no confirmed
/// authenticator.
pub async fn replace_recovery_codes(
    db: &Db,
    user_id: Uuid,
    code_hashes: &[String],
    event: &Event<'_>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let on: Option<(Uuid,)> = sqlx::query_as(&format!(
            "SELECT user_id FROM totp_authenticators \
             WHERE user_id = $1 AND confirmed_at IS NOT NULL{}",
            pool.for_update()
        ))
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if on.is_none() {
            return Ok(false);
        }
        set_recovery_codes(&mut tx, user_id, code_hashes).await?;
        record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// In the caller's transaction, makes `code_hashes` the account's
/// recovery codes: the ones it had stop working.
async fn set_recovery_codes<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    code_hashes: &[String],
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM recovery_codes WHERE user_id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await?;
    if code_hashes.is_empty() {
        return Ok(());
    }
    let at = now();
    let mut insert =
        QueryBuilder::new("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ");
    for (n, hash) in code_hashes.iter().enumerate() {
        if n > 0 {
            insert.push(", ");
        }
        insert
            .push("(")
            .bind(user_id)
            .and_bind(hash.clone())
            .and_bind(at)
            .push(")");
    }
    DB::execute(tx, insert).await.map(|_| ())
}

/// The recovery codes the account has left.
pub async fn recovery_codes_left(db: &Db, user_id: Uuid) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?;
        Ok(count)
    })
}

/// Removes the account's authenticator, recovery codes and pending
/// sign-in steps (and with `passkeys_too`, its passkeys), logging `event`;
/// `false` when it had none of what was to go.
pub async fn remove(
    db: &Db,
    user_id: Uuid,
    passkeys_too: bool,
    event: &Event<'_>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let mut removed = sqlx::query("DELETE FROM totp_authenticators WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if passkeys_too {
            removed |= sqlx::query("DELETE FROM passkeys WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM second_factor_challenges WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if removed {
            record(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(removed)
    })
}

// --- Sign-in steps ----------------------------------------------------------

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChallengeRow {
    pub user_id: Uuid,
    pub device_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    /// The passkey ceremony under way for this step, if one was started.
    pub passkey_state: Option<String>,
}

/// Records a sign-in step (its token's hash) for `user_id`, logging
/// `event`, and drops the account's steps that have expired.
pub async fn create_challenge(
    db: &Db,
    token_hash: &str,
    user_id: Uuid,
    device_id: Option<Uuid>,
    expires_at: DateTime<Utc>,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("DELETE FROM second_factor_challenges WHERE user_id = $1 AND expires_at <= $2")
            .bind(user_id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO second_factor_challenges \
             (token_hash, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(device_id)
        .bind(now())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, event).await?;
        tx.commit().await
    })
}

/// The live sign-in step whose token hashes to `token_hash`.
pub async fn challenge(db: &Db, token_hash: &str) -> Result<Option<ChallengeRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT user_id, device_id, expires_at, passkey_state FROM second_factor_challenges \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(pool)
        .await
    })
}

/// Keeps the passkey ceremony started for the live step `token_hash`
/// (a new one replaces the last); `false` when the step is gone.
pub async fn set_passkey_state(
    db: &Db,
    token_hash: &str,
    state: &str,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        Ok(sqlx::query(
            "UPDATE second_factor_challenges SET passkey_state = $1 \
             WHERE token_hash = $2 AND expires_at > $3",
        )
        .bind(state)
        .bind(token_hash)
        .bind(now())
        .execute(pool)
        .await?
        .rows_affected()
            == 1)
    })
}

/// Counts a wrong code against the step, logging `event`; the step ends
/// at its `max_failures`th.
pub async fn fail_challenge(
    db: &Db,
    token_hash: &str,
    max_failures: i32,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "UPDATE second_factor_challenges SET failed_attempts = failed_attempts + 1 \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM second_factor_challenges WHERE token_hash = $1 AND failed_attempts >= $2",
        )
        .bind(token_hash)
        .bind(max_failures)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, event).await?;
        tx.commit().await
    })
}

/// The second factor a sign-in step is finished with.
pub enum SpentFactor {
    /// The authenticator's code of this step: refused if that step's code,
    /// or a later one, was used already.
    Totp(u64),
    /// A recovery code, by its hash: deleted as it is used.
    RecoveryCode(String),
    /// A passkey of the account that answered, with its state after the
    /// answer (the signature counter moved on): stored, and its last use
    /// noted.
    Passkey { id: Uuid, stored: String },
}

/// How finishing a sign-in step went.
pub enum Finished {
    /// The session exists; with a recovery code, how many are left.
    SignedIn { recovery_codes_left: Option<i64> },
    /// The step was used or removed meanwhile.
    StepGone,
    /// The code was used already (or the recovery code is not the
    /// account's).
    CodeSpent,
}

/// Finishes the sign-in step `token_hash` with `factor`, in one
/// transaction: the step ends, the code is spent, and the session starts
/// as [`start_signed_in_session`] does (`detail` says how). Nothing is
/// written unless all of it holds.
pub async fn finish_sign_in(
    db: &Db,
    token_hash: &str,
    factor: &SpentFactor,
    attempts_key: &str,
    session: &NewSession,
    email: &str,
    detail: &str,
) -> Result<Finished, sqlx::Error> {
    let user_id = session.user_id;
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let step_ended = sqlx::query(
            "DELETE FROM second_factor_challenges \
             WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !step_ended {
            return Ok(Finished::StepGone);
        }
        let spent = spend(&mut tx, user_id, factor).await?;
        if !spent {
            return Ok(Finished::CodeSpent);
        }
        start_signed_in_session(&mut tx, attempts_key, session, email, detail).await?;
        let recovery_codes_left = match factor {
            SpentFactor::Totp(_) | SpentFactor::Passkey { .. } => None,
            SpentFactor::RecoveryCode(_) => {
                let (left,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                Some(left)
            }
        };
        tx.commit().await?;
        Ok(Finished::SignedIn { recovery_codes_left })
    })
}

/// Spends `factor` outside a sign-in (turning two-step sign-in off):
/// `false` if it was used already, or is not the account's.
pub async fn spend_factor(
    db: &Db,
    user_id: Uuid,
    factor: &SpentFactor,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let spent = spend(&mut tx, user_id, factor).await?;
        tx.commit().await?;
        Ok(spent)
    })
}

/// In the caller's transaction, spends `factor`: the app's code of a step
/// later than the last one used, or a recovery code the account has
/// (deleted). `false` when neither holds.
async fn spend<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    factor: &SpentFactor,
) -> Result<bool, sqlx::Error> {
    let query = match factor {
        SpentFactor::Totp(step) => {
            let mut update = QueryBuilder::new("UPDATE totp_authenticators SET last_used_step = ");
            update
                .bind(step_value(*step))
                .push(" WHERE user_id = ")
                .bind(user_id)
                .push(" AND confirmed_at IS NOT NULL AND last_used_step < ")
                .bind(step_value(*step));
            update
        }
        SpentFactor::RecoveryCode(hash) => {
            let mut delete = QueryBuilder::new("DELETE FROM recovery_codes WHERE user_id = ");
            delete
                .bind(user_id)
                .push(" AND code_hash = ")
                .bind(hash.clone());
            delete
        }
        SpentFactor::Passkey { id, stored } => {
            let mut update = QueryBuilder::new("UPDATE passkeys SET passkey = ");
            update
                .bind(stored.clone())
                .push(", last_used_at = ")
                .bind(now())
                .push(" WHERE id = ")
                .bind(*id)
                .push(" AND user_id = ")
                .bind(user_id);
            update
        }
    };
    Ok(DB::execute(tx, query).await? == 1)
}

/// Deletes sign-in steps past their time; how many went.
pub async fn prune_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        Ok(sqlx::query("DELETE FROM second_factor_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected())
    })
}

/// A step number as the databases store it (a 64-bit signed integer);
/// steps of real clocks are far below its limit.
fn step_value(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

// --- Passkeys ---------------------------------------------------------------

/// A passkey, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// webauthn-rs's `Passkey`, as JSON.
    pub passkey: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

const PASSKEY_COLUMNS: &str = "id, user_id, name, passkey, created_at, last_used_at";

/// The account's passkeys, oldest first.
pub async fn passkeys(db: &Db, user_id: Uuid) -> Result<Vec<PasskeyRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(user_id)
        .fetch_all(pool)
        .await
    })
}

/// The passkey with this credential id (base64url), whoever's it is.
pub async fn passkey_by_credential(
    db: &Db,
    credential_id: &str,
) -> Result<Option<PasskeyRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE credential_id = $1"
        ))
        .bind(credential_id)
        .fetch_optional(pool)
        .await
    })
}

/// A passkey to add.
pub struct NewPasskey<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub credential_id: &'a str,
    pub name: &'a str,
    pub stored: &'a str,
}

/// How adding a passkey went.
pub enum Added {
    Added,
    /// The account has `max` already.
    Full,
    /// That credential is registered already (to this account or another).
    Known,
}

/// Adds `passkey` unless the account has `max` already or the credential
/// is known, logging `event`, in one transaction.
pub async fn add_passkey(
    db: &Db,
    passkey: &NewPasskey<'_>,
    max: usize,
    event: &Event<'_>,
) -> Result<Added, sqlx::Error> {
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        // The account's row is the lock that makes the count hold under
        // concurrent adds on PostgreSQL (SQLite has one writer anyway).
        sqlx::query(&format!("SELECT id FROM users WHERE id = $1{}", pool.for_update()))
            .bind(passkey.user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (count, known): (i64, bool) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = $1), \
                    EXISTS (SELECT 1 FROM passkeys WHERE credential_id = $2)",
        )
        .bind(passkey.user_id)
        .bind(passkey.credential_id)
        .fetch_one(&mut *tx)
        .await?;
        if known {
            return Ok(Added::Known);
        }
        if count >= max {
            return Ok(Added::Full);
        }
        sqlx::query(
            "INSERT INTO passkeys (id, user_id, credential_id, name, passkey, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(passkey.id)
        .bind(passkey.user_id)
        .bind(passkey.credential_id)
        .bind(passkey.name)
        .bind(passkey.stored)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(Added::Added)
    })
}

/// Deletes the account's passkey `id`, logging `event`; `false` when the
/// account has no such passkey.
pub async fn delete_passkey(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    event: &Event<'_>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if deleted {
            record(&mut tx, event).await?;
            tx.commit().await?;
        }
        Ok(deleted)
    })
}

/// Signs in with the passkey `id` of `session.user_id`, in one
/// transaction: its new state is stored and its use noted, and the
/// session starts as [`start_signed_in_session`] does. `false` (nothing
/// written) when the passkey was deleted meanwhile.
pub async fn sign_in_with_passkey(
    db: &Db,
    id: Uuid,
    stored: &str,
    attempts_key: &str,
    session: &NewSession,
    email: &str,
) -> Result<bool, sqlx::Error> {
    let factor = SpentFactor::Passkey {
        id,
        stored: stored.to_owned(),
    };
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        if !spend(&mut tx, session.user_id, &factor).await? {
            return Ok(false);
        }
        start_signed_in_session(&mut tx, attempts_key, session, email, "with a passkey").await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// What a passkey ceremony is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyPurpose {
    Register,
    SignIn,
}

impl CeremonyPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
        }
    }
}

/// Records a ceremony (its token's hash) and drops those past their time.
pub async fn create_ceremony(
    db: &Db,
    token_hash: &str,
    purpose: CeremonyPurpose,
    user_id: Option<Uuid>,
    state: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1")
            .bind(now())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO passkey_ceremonies \
             (token_hash, purpose, user_id, state, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(user_id)
        .bind(state)
        .bind(now())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    })
}

/// Ends the live ceremony `token_hash` of `purpose` (and, for a
/// registration, of `user_id`) and gives its state: a ceremony works once.
pub async fn take_ceremony(
    db: &Db,
    token_hash: &str,
    purpose: CeremonyPurpose,
    user_id: Option<Uuid>,
) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => {
        let taken: Option<(String,)> = sqlx::query_as(
            "DELETE FROM passkey_ceremonies \
             WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 \
               AND (user_id = $4 OR ($4 IS NULL AND user_id IS NULL)) \
             RETURNING state",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now())
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
        Ok(taken.map(|(state,)| state))
    })
}

/// Deletes passkey ceremonies past their time; how many went.
pub async fn prune_expired_ceremonies(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        Ok(sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected())
    })
}
