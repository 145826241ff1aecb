//! Account, session and security-log queries. Each is written once and
//! runs on SQLite or PostgreSQL through `on_db!`; a change that spans
//! statements, or comes with a security event, runs in one transaction.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{
    Role,
    device::MAX_TRUSTED_DEVICES,
    email::Email,
    security_log::{Event, EventKind, LoggedEvent},
};
use crate::{
    calendar::TimeZone,
    client::Client,
    db::{Bind, Db, Engine, StoreError, WritePool as _, now},
    lists::{
        INBOX_NAME,
        store::{self as lists, NewListRow},
    },
    on_db, ordering,
    signup::{self, LinkToken, store::SignupRefusal},
};

const USER_COLUMNS: &str = "id, email, password_hash, created_at, role, disabled_at, \
     disabled_reason, disabled_until, time_zone, email_verified_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub disabled_until: Option<DateTime<Utc>>,
    pub time_zone: String,
    /// When the current address was confirmed by following a link.
    pub email_verified_at: Option<DateTime<Utc>>,
}

impl UserRecord {
    /// Disabled by an administrator, and not past the date it ends.
    pub fn is_disabled(&self, now: DateTime<Utc>) -> bool {
        is_disabled(self.disabled_at, self.disabled_until, now)
    }
}

/// Whether an account with these columns is disabled at `now`.
pub fn is_disabled(
    disabled_at: Option<DateTime<Utc>>,
    disabled_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    disabled_at.is_some() && disabled_until.is_none_or(|until| until > now)
}

/// A live session, with its user's current email, role and status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub email: String,
    pub user_created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub todos_version: i64,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_until: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    /// The instance's setting, read in the same lookup.
    pub require_verified_email: bool,
    /// Whether the account has a confirmed authenticator.
    pub has_second_factor: bool,
    /// The instance's `require_second_factor`.
    pub require_second_factor: String,
}

/// The INSERT of `event` into the security log.
fn record_statement<'q, DB: Engine>(event: &Event<'_>) -> QueryBuilder<'q, DB> {
    let mut insert = QueryBuilder::new(
        "INSERT INTO security_events (id, occurred_at, kind, user_id, email, actor_id, \
         client_address, device, session_id, detail) VALUES (",
    );
    insert
        .bind(Uuid::new_v4())
        .and_bind(now())
        .and_bind(event.kind.as_str())
        .and_bind(event.user_id)
        .and_bind(event.email.map(str::to_owned))
        .and_bind(event.actor_id)
        .and_bind(event.client.address.to_string())
        .and_bind(event.client.device.as_str().to_owned())
        .and_bind(event.session_id)
        .and_bind(event.detail.to_owned())
        .push(")");
    insert
}

/// Writes `event` in the caller's transaction, with the change it records.
pub async fn record<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    DB::execute(tx, record_statement(event)).await.map(|_| ())
}

/// Writes an event that comes with no change (a failed sign-in).
pub async fn record_event(db: &Db, event: &Event<'_>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => record_statement(event).build().execute(pool).await.map(|_| ()))
}

/// What the accounts store declines to do (worded in `crate::refusals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRefusal {
    EmailTaken,
    /// Another account has the address this one is moving to.
    NewAddressTaken,
    /// A confirmation link was used, replaced, or is past its time, or
    /// the address it confirms is no longer the account's.
    ConfirmationGone,
    /// The account keeps as many personal API tokens as it may.
    TooManyApiTokens {
        limit: i64,
    },
    /// The sign-up policy does not admit the account now.
    Signup(SignupRefusal),
}

impl From<SignupRefusal> for AccountRefusal {
    fn from(refusal: SignupRefusal) -> Self {
        AccountRefusal::Signup(refusal)
    }
}

/// Live sessions an account keeps: signing in once more ends the least
/// recently used, so sign-ins (20 a minute per address) cannot grow the
/// table without bound; the sessions page lists them all.
pub const MAX_SESSIONS_PER_ACCOUNT: i64 = 100;

/// A session about to start, on the device it is started from.
pub struct NewSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub client: Client,
    /// The device the account trusts from now on: the one the client
    /// proved it signed in from before, or a new one.
    pub device_id: Uuid,
}

/// Inserts `session` inside the caller's transaction, ending the least
/// recently used sessions past [`MAX_SESSIONS_PER_ACCOUNT`], and marks its
/// device as trusted by the account, forgetting the least recently used
/// devices past [`MAX_TRUSTED_DEVICES`].
async fn insert_session<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    session: &NewSession,
) -> Result<(), sqlx::Error> {
    let at = now();
    let mut insert = QueryBuilder::new(
        "INSERT INTO sessions (id, user_id, created_at, expires_at, last_used_at, \
         client_address, device) VALUES (",
    );
    insert
        .bind(session.id)
        .and_bind(session.user_id)
        .and_bind(at)
        .and_bind(session.expires_at)
        .and_bind(at)
        .and_bind(session.client.address.to_string())
        .and_bind(session.client.device.as_str().to_owned())
        .push(")");
    DB::execute(tx, insert).await?;
    let mut end_oldest = QueryBuilder::new("DELETE FROM sessions WHERE user_id = ");
    end_oldest
        .bind(session.user_id)
        .push(" AND id NOT IN (SELECT id FROM sessions WHERE user_id = ")
        .bind(session.user_id)
        .push(" ORDER BY last_used_at DESC, created_at DESC, id LIMIT ")
        .bind(MAX_SESSIONS_PER_ACCOUNT)
        .push(")");
    DB::execute(tx, end_oldest).await?;
    let mut trust =
        QueryBuilder::new("INSERT INTO trusted_devices (id, user_id, last_used_at) VALUES (");
    trust
        .bind(session.device_id)
        .and_bind(session.user_id)
        .and_bind(at)
        .push(
            ") ON CONFLICT (id) DO UPDATE SET last_used_at = excluded.last_used_at \
             WHERE trusted_devices.user_id = excluded.user_id",
        );
    DB::execute(tx, trust).await?;
    let mut forget_oldest = QueryBuilder::new("DELETE FROM trusted_devices WHERE user_id = ");
    forget_oldest
        .bind(session.user_id)
        .push(" AND id NOT IN (SELECT id FROM trusted_devices WHERE user_id = ")
        .bind(session.user_id)
        .push(" ORDER BY last_used_at DESC, id LIMIT ")
        .bind(MAX_TRUSTED_DEVICES)
        .push(")");
    DB::execute(tx, forget_oldest).await.map(|_| ())
}

/// Whether `email`'s account still trusts the device a genuine device
/// token names: it signed in there, and the account has not forgotten it
/// since (password change, signing out everywhere, deletion, or newer
/// devices).
pub async fn is_trusted_device(
    db: &Db,
    device_id: Uuid,
    email: &Email,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (i32,)>(
            "SELECT 1 FROM trusted_devices d JOIN users u ON u.id = d.user_id \
             WHERE d.id = $1 AND lower(u.email) = lower($2)",
        )
        .bind(device_id)
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
        .map(|found| found.is_some())
    })
}

/// Makes the account forget every device it trusted.
async fn forget_devices<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM trusted_devices WHERE user_id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await.map(|_| ())
}

/// Locks the administrators' rows until the caller's transaction ends, so
/// two changes that could each leave no administrator take turns. A write:
/// on SQLite it takes the database's write lock, on PostgreSQL it locks
/// every administrator's row.
pub async fn lock_administrators<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
) -> Result<(), sqlx::Error> {
    let lock = QueryBuilder::new("UPDATE users SET role = role WHERE role = 'admin'");
    DB::execute(tx, lock).await.map(|_| ())
}

/// Ends every session of the user, and every personal API token and the
/// calendar feed with them, in the caller's transaction: whatever ends all of an account's
/// sessions (signing out everywhere, a password reset, an administrator)
/// is meant to leave no one in it, and a token made from a stolen session
/// would otherwise outlive it.
pub async fn end_all_sessions<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM sessions WHERE user_id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await?;
    end_standing_credentials(tx, user_id).await
}

/// Removes the user's account, in the caller's transaction; their lists,
/// todos and sessions go with it (ON DELETE CASCADE).
pub async fn remove_user<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM users WHERE id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await.map(|_| ())
}

/// Gives the user `role`, in the caller's transaction.
pub async fn set_role<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    let mut update = QueryBuilder::new("UPDATE users SET role = ");
    update
        .bind(role.as_str())
        .push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(user_id);
    DB::execute(tx, update).await.map(|_| ())
}

/// Whether an account is disabled, as an administrator sets it.
pub enum Disabling<'a> {
    /// Disabled for `reason`, until a date or for good.
    Disabled {
        reason: &'a str,
        until: Option<DateTime<Utc>>,
    },
    Enabled,
}

/// Disables or enables the user's account, in the caller's transaction;
/// the account's email, or `None` when there is no such account.
pub async fn set_disabled<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    disabling: Disabling<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let at = now();
    let mut update = QueryBuilder::new("UPDATE users SET ");
    match disabling {
        Disabling::Disabled { reason, until } => update
            .push("disabled_at = ")
            .bind(at)
            .push(", disabled_reason = ")
            .bind(reason.to_owned())
            .push(", disabled_until = ")
            .bind(until),
        Disabling::Enabled => {
            update.push("disabled_at = NULL, disabled_reason = NULL, disabled_until = NULL")
        }
    };
    update
        .push(", updated_at = ")
        .bind(at)
        .push(" WHERE id = ")
        .bind(user_id)
        .push(" RETURNING email");
    let email: Option<(String,)> = DB::fetch_optional(tx, update).await?;
    Ok(email.map(|(email,)| email))
}

/// Creates the account `session.user_id` with its Inbox and its first
/// session, and logs the sign-up, in one transaction, if the sign-up
/// policy admits `email` now (through `invite`, an invitation's token,
/// whose use is spent in the same transaction; it may make the account an
/// administrator).
pub async fn create_account(
    db: &Db,
    email: &Email,
    password_hash: &str,
    time_zone: TimeZone,
    invite: Option<&LinkToken>,
    session: &NewSession,
    verification: Option<&NewConfirmation<'_>>,
) -> Result<UserRecord, StoreError<AccountRefusal>> {
    let created_at = now();
    let mut user = UserRecord {
        id: session.user_id,
        email: email.as_str().to_owned(),
        password_hash: password_hash.to_owned(),
        created_at,
        role: Role::User.as_str().into(),
        disabled_at: None,
        disabled_reason: None,
        disabled_until: None,
        time_zone: time_zone.name().to_owned(),
        email_verified_at: None,
    };
    let inserted: Result<(), StoreError<SignupRefusal>> = on_db!(db, pool => {
        async {
            let mut transaction = pool.begin_write().await?;
            let admission =
                signup::store::admit(&mut transaction, &user.email, invite, created_at).await?;
            if admission.makes_admin {
                user.role = Role::Admin.as_str().into();
            }
            sqlx::query(
                "INSERT INTO users (id, email, password_hash, created_at, updated_at, time_zone, \
                 role) VALUES ($1, $2, $3, $4, $4, $5, $6)",
            )
            .bind(user.id)
            .bind(&user.email)
            .bind(&user.password_hash)
            .bind(user.created_at)
            .bind(&user.time_zone)
            .bind(&user.role)
            .execute(&mut *transaction)
            .await?;
            let inbox = NewListRow {
                id: Uuid::new_v4(),
                name: INBOX_NAME,
                name_key: INBOX_NAME.to_lowercase(),
                is_inbox: true,
                position: ordering::FIRST,
                created_at: user.created_at,
                updated_at: user.created_at,
            };
            lists::insert(&mut transaction, user.id, &inbox).await?;
            insert_session(&mut transaction, session).await?;
            if let Some(verification) = verification {
                replace_confirmation(&mut transaction, user.id, verification, created_at).await?;
            }
            let detail = match admission.invitation {
                Some(invitation) if admission.makes_admin => {
                    format!("invitation {invitation}, as administrator")
                }
                Some(invitation) => format!("invitation {invitation}"),
                None => String::new(),
            };
            let event = Event::new(EventKind::SignUp, &session.client)
                .user(user.id, &user.email)
                .session(session.id)
                .detail(&detail);
            record(&mut transaction, &event).await?;
            transaction.commit().await?;
            Ok(())
        }
        .await
    });
    match inserted {
        Ok(()) => Ok(user),
        // The unique index on lower(email) settles races between sign-ups;
        // the invitation's use is rolled back with the rest.
        Err(StoreError::Database(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            Err(StoreError::Refused(AccountRefusal::EmailTaken))
        }
        Err(error) => Err(error.widen()),
    }
}

/// Stores the user's time zone. Their pages name days differently from
/// now on, so the todos' version changes too (the page cache keys on it),
/// and their reminders move to the new zone's clock in the same
/// transaction.
pub async fn set_time_zone(db: &Db, user_id: Uuid, time_zone: TimeZone) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "UPDATE users SET time_zone = $1, todos_version = todos_version + 1, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(time_zone.name())
        .bind(now())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        crate::reminders::schedule::resync_user(&mut tx, user_id, now()).await?;
        tx.commit().await
    })
}

pub async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<UserRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, UserRecord>(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)"),
        )
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
    })
}

pub async fn find_user(db: &Db, user_id: Uuid) -> Result<Option<UserRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, UserRecord>(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })
}

/// Sets a new password hash and ends every session of the user but `keep`
/// (and every API token), together: a password change that left a stolen session alive, or ended
/// sessions without changing the password, would be worse than either.
pub async fn change_password_ending_other_sessions(
    db: &Db,
    user_id: Uuid,
    password_hash: &str,
    keep: Uuid,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        record(&mut transaction, event).await?;
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
        end_standing_credentials(&mut transaction, user_id).await?;
        forget_devices(&mut transaction, user_id).await?;
        forget_reset_links(&mut transaction, user_id).await?;
        transaction.commit().await
    })
}

/// Deletes the user, and logs it; their todos and sessions go with them
/// (ON DELETE CASCADE).
pub async fn delete_user(db: &Db, user_id: Uuid, event: &Event<'_>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        remove_user(&mut transaction, user_id).await?;
        record(&mut transaction, event).await?;
        transaction.commit().await
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
    email: &str,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        start_signed_in_session(&mut transaction, attempts_key, session, email, "").await?;
        transaction.commit().await
    })
}

/// In the caller's transaction, what a finished sign-in does: forgets the
/// attempts counted against `attempts_key` and the user's expired
/// sessions, inserts `session`, and logs the sign-in (`detail`: how).
pub(in crate::auth) async fn start_signed_in_session<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    attempts_key: &str,
    session: &NewSession,
    email: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let mut forgive = QueryBuilder::new("DELETE FROM attempt_counters WHERE key = ");
    forgive.bind(attempts_key.to_owned());
    DB::execute(tx, forgive).await?;
    let mut expired = QueryBuilder::new("DELETE FROM sessions WHERE user_id = ");
    expired
        .bind(session.user_id)
        .push(" AND expires_at < ")
        .bind(now());
    DB::execute(tx, expired).await?;
    insert_session(tx, session).await?;
    let mut signed_in = QueryBuilder::new("UPDATE users SET last_sign_in_at = ");
    signed_in
        .bind(now())
        .push(" WHERE id = ")
        .bind(session.user_id);
    DB::execute(tx, signed_in).await?;
    let event = Event::new(EventKind::SignIn, &session.client)
        .user(session.user_id, email)
        .session(session.id)
        .detail(detail);
    record(tx, &event).await
}

/// The one indexed lookup a request with a token costs.
pub async fn find_session(db: &Db, session_id: Uuid) -> Result<Option<SessionRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, SessionRecord>(
            "SELECT s.user_id, u.email, u.created_at AS user_created_at, s.expires_at, \
                    u.todos_version, u.role, u.disabled_at, u.disabled_until, s.last_used_at, \
                    u.time_zone, u.email_verified_at, \
                    (SELECT require_verified_email FROM instance_settings WHERE id = 1) \
                        AS require_verified_email, \
                    (EXISTS (SELECT 1 FROM totp_authenticators a \
                             WHERE a.user_id = u.id AND a.confirmed_at IS NOT NULL) \
                     OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id)) \
                        AS has_second_factor, \
                    (SELECT require_second_factor FROM instance_settings WHERE id = 1) \
                        AS require_second_factor \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1",
        )
        .bind(session_id)
        .fetch_optional(pool)
        .await
    })
}

/// Records that the session was used now (callers do it at most every few
/// minutes, not on every request).
pub async fn touch_session(db: &Db, session_id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(session_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Ends one session of the user, logging `event` if it was live; `false`
/// when it had ended already.
pub async fn delete_session(
    db: &Db,
    session_id: Uuid,
    user_id: Uuid,
    event: &Event<'_>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(session_id)
            .bind(user_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected()
            > 0;
        if ended {
            record(&mut transaction, event).await?;
        }
        transaction.commit().await?;
        Ok(ended)
    })
}

/// Ends every session of the user, and logs `event`.
pub async fn delete_sessions_of_user(
    db: &Db,
    user_id: Uuid,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        end_all_sessions(&mut transaction, user_id).await?;
        forget_devices(&mut transaction, user_id).await?;
        record(&mut transaction, event).await?;
        transaction.commit().await
    })
}

/// A live session as its owner sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub client_address: String,
    pub device: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The user's live sessions, most recently used first.
pub async fn sessions_of_user(db: &Db, user_id: Uuid) -> Result<Vec<SessionRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, SessionRow>(
            "SELECT id, client_address, device, created_at, last_used_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 \
             ORDER BY last_used_at DESC, created_at DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(now())
        .bind(MAX_SESSIONS_PER_ACCOUNT)
        .fetch_all(pool)
        .await
    })
}

/// A logged event, joined to the acting administrator's email.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    /// The account the event is about.
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    /// The administrator who acted, for their actions.
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub client_address: String,
    pub device: String,
    pub detail: String,
}

impl EventRow {
    pub fn into_logged(self) -> Option<LoggedEvent> {
        Some(LoggedEvent {
            id: self.id.to_string(),
            occurred_at: self.occurred_at.to_rfc3339(),
            kind: EventKind::parse(&self.kind)?,
            email: self.email,
            actor_email: self.actor_email,
            client_address: self.client_address,
            device: self.device,
            detail: self.detail,
        })
    }
}

pub const EVENT_COLUMNS: &str = "e.id, e.occurred_at, e.kind, e.user_id, e.email, e.actor_id, \
     a.email AS actor_email, e.client_address, e.device, e.detail";

/// The user's own security events, newest first, after the event
/// `(occurred_at, id)` when given.
pub async fn events_of_user(
    db: &Db,
    user_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let (after_time, after_id) = after.unzip();
    on_db!(db, pool => {
        sqlx::query_as::<_, EventRow>(&format!(
            "SELECT {EVENT_COLUMNS} FROM security_events e \
             LEFT JOIN users a ON a.id = e.actor_id \
             WHERE e.user_id = $1 \
               AND ($2 IS NULL OR e.occurred_at < $2 OR (e.occurred_at = $2 AND e.id < $3)) \
             ORDER BY e.occurred_at DESC, e.id DESC LIMIT $4"
        ))
        .bind(user_id)
        .bind(after_time)
        .bind(after_id)
        .bind(limit)
        .fetch_all(pool)
        .await
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

/// Records that failed password checks locked `email`'s account, and logs
/// it (if there is one: an unknown email is counted alike, and this
/// changes nothing).
pub async fn mark_locked(
    db: &Db,
    email: &Email,
    at: DateTime<Utc>,
    client: &Client,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let locked: Option<(Uuid,)> = sqlx::query_as(
            "UPDATE users SET locked_at = $1 WHERE lower(email) = lower($2) RETURNING id",
        )
        .bind(at)
        .bind(email.as_str())
        .fetch_optional(&mut *transaction)
        .await?;
        if let Some((user_id,)) = locked {
            let event = Event::new(EventKind::Lockout, client).user(user_id, email.as_str());
            record(&mut transaction, &event).await?;
        }
        transaction.commit().await
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

/// Deletes attempt counters whose window has ended, sessions past their
/// absolute end, and security events logged before `events_before`;
/// returns how many rows went.
pub async fn prune_expired(
    db: &Db,
    now: DateTime<Utc>,
    events_before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    on_db!(db, pool => {
        let events = sqlx::query("DELETE FROM security_events WHERE occurred_at < $1")
            .bind(events_before)
            .execute(pool)
            .await?
            .rows_affected();
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
        let reset_links = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected();
        let confirmations =
            sqlx::query("DELETE FROM email_confirmations WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected();
        Ok(counters + sessions + events + reset_links + confirmations)
    })
}

/// In the caller's transaction, makes `token_hash` the account's one
/// reset link, valid until `expires_at`: any older link stops working.
pub async fn replace_reset_link<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    token_hash: &str,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    forget_reset_links(tx, user_id).await?;
    let mut insert = QueryBuilder::new(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (",
    );
    insert
        .bind(token_hash.to_owned())
        .and_bind(user_id)
        .and_bind(at)
        .and_bind(expires_at)
        .push(")");
    DB::execute(tx, insert).await.map(|_| ())
}

async fn forget_reset_links<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM password_resets WHERE user_id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await.map(|_| ())
}

/// The account a reset link is for, while it can be used at `now`.
pub async fn reset_link_account(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT u.id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE r.token_hash = $1 AND r.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
}

/// Spends the reset link `token_hash` of `user_id` and sets the password,
/// together: every session and trusted device of the account ends, its
/// other links go, `event` is logged and `notice` queued. `false` when the
/// link is gone (used meanwhile, replaced or expired): nothing changed.
pub async fn reset_password_with_link(
    db: &Db,
    token_hash: &str,
    user_id: Uuid,
    password_hash: &str,
    now: DateTime<Utc>,
    event: &Event<'_>,
    notice: Option<&crate::mail::compose::Mail>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let spent =
            spend_reset_link(&mut tx, token_hash, user_id, password_hash, now, event, notice)
                .await?;
        if spent {
            tx.commit().await?;
        }
        Ok(spent)
    })
}

async fn spend_reset_link<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    token_hash: &str,
    user_id: Uuid,
    password_hash: &str,
    now: DateTime<Utc>,
    event: &Event<'_>,
    notice: Option<&crate::mail::compose::Mail>,
) -> Result<bool, sqlx::Error> {
    // One statement: of two uses at once, one deletes the row.
    let mut spend = QueryBuilder::new("DELETE FROM password_resets WHERE token_hash = ");
    spend
        .bind(token_hash.to_owned())
        .push(" AND user_id = ")
        .bind(user_id)
        .push(" AND expires_at > ")
        .bind(now)
        .push(" RETURNING user_id");
    let spent: Option<(Uuid,)> = DB::fetch_optional(tx, spend).await?;
    if spent.is_none() {
        return Ok(false);
    }
    let mut update = QueryBuilder::new("UPDATE users SET password_hash = ");
    update
        .bind(password_hash.to_owned())
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(user_id);
    DB::execute(tx, update).await?;
    end_all_sessions(tx, user_id).await?;
    forget_devices(tx, user_id).await?;
    forget_reset_links(tx, user_id).await?;
    record(tx, event).await?;
    if let Some(notice) = notice {
        crate::mail::store::enqueue(tx, notice, now).await?;
    }
    Ok(true)
}

/// What an email confirmation link proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationKind {
    /// The account's own address works.
    Verify,
    /// The address the account moves to works; following it moves it.
    Change,
}

impl ConfirmationKind {
    fn as_str(self) -> &'static str {
        match self {
            ConfirmationKind::Verify => "verify",
            ConfirmationKind::Change => "change",
        }
    }

    fn from_stored(text: &str) -> Self {
        if text == "change" {
            ConfirmationKind::Change
        } else {
            ConfirmationKind::Verify
        }
    }
}

/// A confirmation link about to be mailed: its token's hash is stored,
/// and `mail` (which carries the token) is queued with it.
pub struct NewConfirmation<'a> {
    pub kind: ConfirmationKind,
    /// The address it confirms (as parsed: lower case).
    pub email: &'a str,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub mail: &'a crate::mail::compose::Mail,
}

/// In the caller's transaction, makes `link` the account's one link of its
/// kind (an older one stops working) and queues its mail.
async fn replace_confirmation<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    link: &NewConfirmation<'_>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // One statement, so that two at once leave one link (the later).
    let mut insert = QueryBuilder::new(
        "INSERT INTO email_confirmations (token_hash, user_id, kind, email, created_at, \
         expires_at) VALUES (",
    );
    insert
        .bind(link.token_hash.clone())
        .and_bind(user_id)
        .and_bind(link.kind.as_str())
        .and_bind(link.email.to_owned())
        .and_bind(at)
        .and_bind(link.expires_at)
        .push(
            ") ON CONFLICT (user_id, kind) DO UPDATE SET token_hash = excluded.token_hash, \
             email = excluded.email, created_at = excluded.created_at, \
             expires_at = excluded.expires_at",
        );
    DB::execute(tx, insert).await?;
    crate::mail::store::enqueue(tx, link.mail, at).await?;
    Ok(())
}

/// Stores and mails a confirmation link of `user_id`, with `notice` (a
/// mail to someone else, e.g. the old address) and `event`, together.
pub async fn send_confirmation(
    db: &Db,
    user_id: Uuid,
    link: &NewConfirmation<'_>,
    notice: Option<&crate::mail::compose::Mail>,
    event: Option<&Event<'_>>,
) -> Result<(), sqlx::Error> {
    let at = now();
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        replace_confirmation(&mut tx, user_id, link, at).await?;
        if let Some(notice) = notice {
            crate::mail::store::enqueue(&mut tx, notice, at).await?;
        }
        if let Some(event) = event {
            record(&mut tx, event).await?;
        }
        tx.commit().await
    })
}

/// A confirmation link that can still be followed, and its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingConfirmation {
    pub user_id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: StoredKind,
    /// The address the link confirms.
    pub email: String,
    /// The account's address now.
    pub current_email: String,
    pub expires_at: DateTime<Utc>,
}

/// [`ConfirmationKind`] as read from a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredKind(pub ConfirmationKind);

impl From<String> for StoredKind {
    fn from(text: String) -> Self {
        StoredKind(ConfirmationKind::from_stored(&text))
    }
}

/// The link whose token hashes to `token_hash`, while it works at `now`.
pub async fn confirmation(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<PendingConfirmation>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT c.user_id, c.kind, c.email, u.email AS current_email, c.expires_at \
             FROM email_confirmations c JOIN users u ON u.id = c.user_id \
             WHERE c.token_hash = $1 AND c.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
}

/// The address `user_id` is moving to and until when its link works, if
/// a move is pending.
pub async fn pending_change(
    db: &Db,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<(String, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT email, expires_at FROM email_confirmations \
             WHERE user_id = $1 AND kind = 'change' AND expires_at > $2",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
}

/// Drops the pending move of `user_id`'s address; `false` if none was.
pub async fn cancel_change(db: &Db, user_id: Uuid, event: &Event<'_>) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let gone = sqlx::query(
            "DELETE FROM email_confirmations WHERE user_id = $1 AND kind = 'change'",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone > 0 {
            record(&mut tx, event).await?;
            tx.commit().await?;
        }
        Ok(gone > 0)
    })
}

/// Spends the link `token_hash` (read as `pending`) and does what it
/// confirms, logging `event`: `Verify` marks the account's address
/// confirmed (if it is still that address); `Change` moves the account to
/// the new address, confirmed, and ends its other links and reset links
/// (they went to the old address).
pub async fn spend_confirmation(
    db: &Db,
    token_hash: &str,
    pending: &PendingConfirmation,
    now: DateTime<Utc>,
    event: &Event<'_>,
) -> Result<(), StoreError<AccountRefusal>> {
    let spent: Result<(), StoreError<AccountRefusal>> = on_db!(db, pool => {
        async {
            let mut tx = pool.begin_write().await?;
            // One statement: of two uses at once, one deletes the row.
            let gone = sqlx::query(
                "DELETE FROM email_confirmations WHERE token_hash = $1 AND user_id = $2 \
                 AND expires_at > $3",
            )
            .bind(token_hash)
            .bind(pending.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if gone == 0 {
                return Err(StoreError::Refused(AccountRefusal::ConfirmationGone));
            }
            let changed = match pending.kind.0 {
                ConfirmationKind::Verify => sqlx::query(
                    "UPDATE users SET email_verified_at = $1, updated_at = $1 \
                     WHERE id = $2 AND email = $3",
                ),
                ConfirmationKind::Change => sqlx::query(
                    "UPDATE users SET email_verified_at = $1, updated_at = $1, email = $3 \
                     WHERE id = $2",
                ),
            }
            .bind(now)
            .bind(pending.user_id)
            .bind(&pending.email)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::Refused(AccountRefusal::ConfirmationGone));
            }
            if pending.kind.0 == ConfirmationKind::Change {
                sqlx::query("DELETE FROM email_confirmations WHERE user_id = $1")
                    .bind(pending.user_id)
                    .execute(&mut *tx)
                    .await?;
                forget_reset_links(&mut tx, pending.user_id).await?;
            }
            record(&mut tx, event).await?;
            tx.commit().await?;
            Ok(())
        }
        .await
    });
    match spent {
        // The unique index on lower(email): another account took the
        // address after the link was sent.
        Err(StoreError::Database(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            Err(StoreError::Refused(AccountRefusal::NewAddressTaken))
        }
        other => other,
    }
}

// --- Personal API tokens (`api_tokens`) -----------------------------------

/// A token as stored, without its hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub name: String,
    pub scope: String,
    pub display_prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

const API_TOKEN_COLUMNS: &str =
    "id, name, scope, display_prefix, created_at, last_used_at, expires_at";

/// Makes a token for `user_id` and logs `event`, unless the account keeps
/// as many as it may: the count is taken with the user's row locked, so
/// concurrent requests cannot pass it together.
pub async fn create_api_token(
    db: &Db,
    user_id: Uuid,
    token: &super::api_tokens::NewApiToken,
    secret: &super::api_tokens::PersonalToken,
    event: &Event<'_>,
) -> Result<ApiTokenRow, StoreError<AccountRefusal>> {
    let row = ApiTokenRow {
        id: Uuid::new_v4(),
        name: token.name.clone(),
        scope: token.scope.as_str().to_owned(),
        display_prefix: secret.display_prefix(),
        created_at: now(),
        last_used_at: None,
        expires_at: token.expires_at,
    };
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        if crate::db::lock_user_row(&mut tx, user_id).await?.is_none() {
            return Err(StoreError::NoAccount);
        }
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        if count >= super::api_tokens::MAX_TOKENS_PER_ACCOUNT {
            return Err(StoreError::Refused(AccountRefusal::TooManyApiTokens {
                limit: super::api_tokens::MAX_TOKENS_PER_ACCOUNT,
            }));
        }
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, scope, token_hash, display_prefix, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(row.id)
        .bind(user_id)
        .bind(&row.name)
        .bind(&row.scope)
        .bind(secret.hash())
        .bind(&row.display_prefix)
        .bind(row.created_at)
        .bind(row.expires_at)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(row)
    })
}

/// The user's tokens, newest first.
pub async fn api_tokens_of_user(db: &Db, user_id: Uuid) -> Result<Vec<ApiTokenRow>, sqlx::Error> {
    let query = format!(
        "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 \
         ORDER BY created_at DESC, id"
    );
    on_db!(db, pool => {
        sqlx::query_as(&query).bind(user_id).fetch_all(pool).await
    })
}

/// Deletes the user's token `id` and logs `event`; `false` when the user
/// has no such token.
pub async fn delete_api_token(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    event: &Event<'_>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if deleted {
            record(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    })
}

/// Ends the credentials the user made to be used without signing in (every
/// personal API token, and the calendar feed's address), in the caller's
/// transaction.
async fn end_standing_credentials<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM api_tokens WHERE user_id = ");
    delete.bind(user_id);
    DB::execute(tx, delete).await?;
    super::calendar_feed::end(tx, user_id).await
}

/// A token presented on a request, with what a session lookup reads of
/// its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenSessionRecord {
    pub token_id: Uuid,
    pub scope: String,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub token_last_used_at: Option<DateTime<Utc>>,
    pub user_id: Uuid,
    pub email: String,
    pub user_created_at: DateTime<Utc>,
    pub todos_version: i64,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_until: Option<DateTime<Utc>>,
    pub time_zone: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub require_verified_email: bool,
    pub has_second_factor: bool,
    pub require_second_factor: String,
}

/// The one indexed lookup a request with a personal token costs.
pub async fn find_api_token(
    db: &Db,
    token_hash: &str,
) -> Result<Option<ApiTokenSessionRecord>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, ApiTokenSessionRecord>(
            "SELECT t.id AS token_id, t.scope, t.expires_at AS token_expires_at, \
                    t.last_used_at AS token_last_used_at, t.user_id, u.email, \
                    u.created_at AS user_created_at, u.todos_version, u.role, u.disabled_at, \
                    u.disabled_until, u.time_zone, u.email_verified_at, \
                    (SELECT require_verified_email FROM instance_settings WHERE id = 1) \
                        AS require_verified_email, \
                    (EXISTS (SELECT 1 FROM totp_authenticators a \
                             WHERE a.user_id = u.id AND a.confirmed_at IS NOT NULL) \
                     OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id)) \
                        AS has_second_factor, \
                    (SELECT require_second_factor FROM instance_settings WHERE id = 1) \
                        AS require_second_factor \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await
    })
}

/// Records that the token was used now (at most every few minutes).
pub async fn touch_api_token(db: &Db, id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}
