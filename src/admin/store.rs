//! The console's queries. Changes run in one transaction with their
//! security event; those that could leave the service without an
//! administrator first lock every administrator's row, so two of them
//! demoting each other at once cannot both succeed.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use crate::{
    auth::{
        Role,
        second_factor::SecondFactorPolicy,
        security_log::{Event, EventKind},
        store::{
            Disabling, EVENT_COLUMNS, EventRow, end_all_sessions, is_disabled, lock_administrators,
            record, remove_user, set_disabled, set_role,
        },
    },
    client::Client,
    db::{Bind, Db, Engine, StoreError, WritePool as _, now},
    mail::compose::Mail,
    on_db,
    signup::{
        self, LinkToken,
        store::{NewInvitation, SignupPolicy, SignupRefusal},
    },
};

/// Why an administrator's change was refused (worded by the caller, which
/// names the change: the console and the CLI say it differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRefusal {
    /// It would leave no active administrator.
    LastAdmin,
    /// Administrators cannot disable or delete their own account.
    Yourself,
}

type Refused = StoreError<AdminRefusal>;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub disabled_until: Option<DateTime<Utc>>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub active_sessions: i64,
    pub todos: i64,
    /// Signs in with a second factor.
    pub second_factor: bool,
}

/// Users whose email contains `search` (any case), by email, after the
/// email `after`: keyset paging on the unique index on `lower(email)`.
pub async fn list_users(
    db: &Db,
    search: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>, sqlx::Error> {
    let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
    on_db!(db, pool => {
        sqlx::query_as::<_, UserRow>(
            "SELECT u.id, u.email, u.role, u.created_at, u.last_sign_in_at, u.disabled_at, \
                    u.disabled_reason, u.disabled_until, u.email_verified_at, \
                    (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > $4) \
                        AS active_sessions, \
                    u.todo_count AS todos, \
                    (EXISTS (SELECT 1 FROM totp_authenticators a \
                             WHERE a.user_id = u.id AND a.confirmed_at IS NOT NULL) \
                     OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id)) \
                        AS second_factor \
             FROM users u \
             WHERE lower(u.email) LIKE $1 ESCAPE '\\' AND ($2 IS NULL OR lower(u.email) > $2) \
             ORDER BY lower(u.email) LIMIT $3",
        )
        .bind(pattern)
        .bind(after)
        .bind(limit)
        .bind(now())
        .fetch_all(pool)
        .await
    })
}

/// One account, with its counts.
pub async fn user(db: &Db, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, UserRow>(
            "SELECT u.id, u.email, u.role, u.created_at, u.last_sign_in_at, u.disabled_at, \
                    u.disabled_reason, u.disabled_until, u.email_verified_at, \
                    (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > $2) \
                        AS active_sessions, \
                    u.todo_count AS todos, \
                    (EXISTS (SELECT 1 FROM totp_authenticators a \
                             WHERE a.user_id = u.id AND a.confirmed_at IS NOT NULL) \
                     OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id)) \
                        AS second_factor \
             FROM users u WHERE u.id = $1",
        )
        .bind(id)
        .bind(now())
        .fetch_optional(pool)
        .await
    })
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The id of the account with `email`, if there is one.
pub async fn user_id_by_email(db: &Db, email: &str) -> Result<Option<Uuid>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (Uuid,)>("SELECT id FROM users WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_optional(pool)
            .await
            .map(|row| row.map(|(id,)| id))
    })
}

/// The emails of every administrator.
pub async fn admin_emails(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (String,)>(
            "SELECT email FROM users WHERE role = 'admin' ORDER BY lower(email)",
        )
        .fetch_all(pool)
        .await
        .map(|rows| rows.into_iter().map(|(email,)| email).collect())
    })
}

/// The target of a change to an account: its email, role and whether it
/// is an active administrator, and how many other active administrators
/// there are.
struct Target {
    email: String,
    role: Role,
    active_admin: bool,
    other_active_admins: usize,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    email: String,
    role: String,
    disabled_at: Option<DateTime<Utc>>,
    disabled_until: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Disabled {
    disabled_at: Option<DateTime<Utc>>,
    disabled_until: Option<DateTime<Utc>>,
}

/// Locks the administrators' rows for the rest of the transaction, then
/// reads the [`Target`] `target`; `None` when there is no such account.
async fn lock_and_read_target<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    target: Uuid,
) -> Result<Option<Target>, sqlx::Error> {
    lock_administrators(tx).await?;
    let mut read =
        QueryBuilder::new("SELECT email, role, disabled_at, disabled_until FROM users WHERE id = ");
    read.bind(target);
    let found: Option<TargetRow> = DB::fetch_optional(tx, read).await?;
    let mut read = QueryBuilder::new(
        "SELECT disabled_at, disabled_until FROM users WHERE role = 'admin' AND id <> ",
    );
    read.bind(target);
    let others: Vec<Disabled> = DB::fetch_all(tx, read).await?;
    let now = now();
    let other_active_admins = others
        .into_iter()
        .filter(|other| !is_disabled(other.disabled_at, other.disabled_until, now))
        .count();
    Ok(found.map(|found| Target {
        active_admin: found.role == Role::Admin.as_str()
            && !is_disabled(found.disabled_at, found.disabled_until, now),
        role: Role::from_stored(&found.role),
        email: found.email,
        other_active_admins,
    }))
}

/// Grants or revokes the admin role.
pub async fn change_role(
    db: &Db,
    target: Uuid,
    role: Role,
    actor: Option<Uuid>,
    client: &Client,
) -> Result<(), Refused> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let Some(Target { email, role: current, active_admin, other_active_admins }) =
            lock_and_read_target(&mut transaction, target).await?
        else {
            return Err(StoreError::NotFound);
        };
        if current == role {
            return Ok(());
        }
        if role == Role::User && active_admin && other_active_admins == 0 {
            return Err(StoreError::Refused(AdminRefusal::LastAdmin));
        }
        set_role(&mut transaction, target, role).await?;
        let kind = match role {
            Role::Admin => EventKind::AdminGranted,
            Role::User => EventKind::AdminRevoked,
        };
        let mut event = Event::new(kind, client).user(target, &email);
        event.actor_id = actor;
        record(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    })
}

/// Disables the account (until `until`, if given) and ends its sessions.
pub async fn disable(
    db: &Db,
    target: Uuid,
    reason: &str,
    until: Option<DateTime<Utc>>,
    actor: Uuid,
    client: &Client,
) -> Result<(), Refused> {
    if target == actor {
        return Err(StoreError::Refused(AdminRefusal::Yourself));
    }
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let Some(Target { email, active_admin, other_active_admins, .. }) =
            lock_and_read_target(&mut transaction, target).await?
        else {
            return Err(StoreError::NotFound);
        };
        if active_admin && other_active_admins == 0 {
            return Err(StoreError::Refused(AdminRefusal::LastAdmin));
        }
        set_disabled(&mut transaction, target, Disabling::Disabled { reason, until }).await?;
        end_all_sessions(&mut transaction, target).await?;
        let event = Event::new(EventKind::AccountDisabled, client)
            .user(target, &email)
            .actor(actor)
            .detail(reason);
        record(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    })
}

/// Enables a disabled account again.
pub async fn enable(db: &Db, target: Uuid, actor: Uuid, client: &Client) -> Result<(), Refused> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let Some(email) = set_disabled(&mut transaction, target, Disabling::Enabled).await?
        else {
            return Err(StoreError::NotFound);
        };
        let event = Event::new(EventKind::AccountEnabled, client)
            .user(target, &email)
            .actor(actor);
        record(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    })
}

/// Ends every session of the account.
pub async fn end_sessions(
    db: &Db,
    target: Uuid,
    actor: Uuid,
    client: &Client,
) -> Result<(), Refused> {
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let email: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(target)
            .fetch_optional(&mut *transaction)
            .await?;
        let Some((email,)) = email else {
            return Err(StoreError::NotFound);
        };
        end_all_sessions(&mut transaction, target).await?;
        let event = Event::new(EventKind::SessionsEndedByAdmin, client)
            .user(target, &email)
            .actor(actor);
        record(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    })
}

/// Deletes the account with everything in it.
pub async fn delete(db: &Db, target: Uuid, actor: Uuid, client: &Client) -> Result<(), Refused> {
    if target == actor {
        return Err(StoreError::Refused(AdminRefusal::Yourself));
    }
    on_db!(db, pool => {
        let mut transaction = pool.begin().await?;
        let Some(Target { email, active_admin, other_active_admins, .. }) =
            lock_and_read_target(&mut transaction, target).await?
        else {
            return Err(StoreError::NotFound);
        };
        if active_admin && other_active_admins == 0 {
            return Err(StoreError::Refused(AdminRefusal::LastAdmin));
        }
        remove_user(&mut transaction, target).await?;
        let event = Event::new(EventKind::AccountDeletedByAdmin, client)
            .user(target, &email)
            .actor(actor);
        record(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    })
}

/// Where a page of events starts: just after this (time, id), newest first.
pub type EventCursor = (DateTime<Utc>, Uuid);

/// Security events, newest first, of one account's email and of one kind
/// when given: keyset paging on `(occurred_at DESC, id DESC)`.
pub async fn events(
    db: &Db,
    email: Option<&str>,
    kind: Option<EventKind>,
    after: Option<EventCursor>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let (after_time, after_id) = after.unzip();
    on_db!(db, pool => {
        sqlx::query_as::<_, EventRow>(&format!(
            "SELECT {EVENT_COLUMNS} FROM security_events e \
             LEFT JOIN users a ON a.id = e.actor_id \
             WHERE ($1 IS NULL OR lower(e.email) = lower($1)) \
               AND ($2 IS NULL OR e.kind = $2) \
               AND ($3 IS NULL OR e.occurred_at < $3 OR (e.occurred_at = $3 AND e.id < $4)) \
             ORDER BY e.occurred_at DESC, e.id DESC LIMIT $5"
        ))
        .bind(email)
        .bind(kind.map(EventKind::as_str))
        .bind(after_time)
        .bind(after_id)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}

/// Sets the sign-up policy, logged with who changed it (`None`: the
/// command line).
pub async fn set_signup_policy(
    db: &Db,
    policy: &SignupPolicy,
    actor: Option<Uuid>,
    client: &Client,
) -> Result<(), sqlx::Error> {
    let mut detail = policy.mode.as_str().to_owned();
    if !policy.email_domains.is_empty() {
        detail.push_str(&format!("; domains: {}", policy.email_domains.join(", ")));
    }
    if policy.require_verified_email {
        detail.push_str("; confirmed address required");
    }
    if policy.require_second_factor != SecondFactorPolicy::None {
        detail.push_str(&format!(
            "; second factor required of {}",
            policy.require_second_factor.as_str()
        ));
    }
    on_db!(db, pool => {
        let mut transaction = pool.begin_write().await?;
        signup::store::set_policy(&mut transaction, policy, now()).await?;
        let mut event = Event::new(EventKind::SignupPolicyChanged, client).detail(&detail);
        event.actor_id = actor;
        record(&mut transaction, &event).await?;
        transaction.commit().await
    })
}

/// Makes an invitation, logged; its id and its token, which is shown this
/// once (the database keeps its hash). The mail `invitation_mail` writes
/// for the token, if any, is queued in the same transaction.
pub async fn create_invitation(
    db: &Db,
    new: &NewInvitation,
    client: &Client,
    invitation_mail: impl FnOnce(&LinkToken) -> Option<Mail>,
) -> Result<(Uuid, LinkToken), StoreError<SignupRefusal>> {
    let token = LinkToken::generate().map_err(StoreError::broken)?;
    let mail = invitation_mail(&token);
    let detail = format!(
        "{} use{}, {}",
        new.uses,
        if new.uses == 1 { "" } else { "s" },
        if new.makes_admin {
            "as administrator"
        } else {
            "as user"
        }
    );
    on_db!(db, pool => {
        let mut transaction = pool.begin_write().await?;
        let id = signup::store::insert_invitation(&mut transaction, new, &token, now()).await?;
        let mut event = Event::new(EventKind::InvitationCreated, client).detail(&detail);
        if let Some(email) = &new.email {
            event = event.email(email);
        }
        event.actor_id = new.created_by;
        record(&mut transaction, &event).await?;
        if let Some(mail) = &mail {
            crate::mail::store::enqueue(&mut transaction, mail, now()).await?;
        }
        transaction.commit().await?;
        Ok((id, token))
    })
}

/// Revokes an invitation, logged; `NotFound` when there is none.
pub async fn revoke_invitation(
    db: &Db,
    id: Uuid,
    actor: Option<Uuid>,
    client: &Client,
) -> Result<(), StoreError<SignupRefusal>> {
    let detail = format!("invitation {id}");
    on_db!(db, pool => {
        let mut transaction = pool.begin_write().await?;
        signup::store::revoke_invitation(&mut transaction, id, now()).await?;
        let mut event = Event::new(EventKind::InvitationRevoked, client).detail(&detail);
        event.actor_id = actor;
        record(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    })
}
