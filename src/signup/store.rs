//! The sign-up policy (with what an account must do before it uses the
//! app) and the invitations in the database: this module owns
//! `instance_settings` and `invitations`. What it refuses is a
//! [`SignupRefusal`], worded in `crate::refusals`; the security log's
//! events are written by the callers, in the same transaction.

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{LinkToken, MAX_USABLE_INVITATIONS, SecondFactorPolicy, SignupMode, domain_admitted};
use crate::{
    db::{Bind, Db, Engine, StoreError},
    on_db,
};

/// Who may make an account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignupPolicy {
    pub mode: SignupMode,
    /// Lower case; empty: any domain.
    pub email_domains: Vec<String>,
    /// Todos and lists wait until an account's address is confirmed.
    pub require_verified_email: bool,
    /// Whose accounts must have a second factor before anything else.
    pub require_second_factor: SecondFactorPolicy,
}

/// Why a sign-up (or an invitation) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupRefusal {
    Closed,
    InvitationNeeded,
    /// The address is not at one of `domains`.
    DomainNotAdmitted {
        domains: Vec<String>,
    },
    Invitation(InvitationProblem),
    /// As many invitations are usable as an instance keeps.
    TooManyInvitations,
}

/// What is wrong with an invitation someone used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationProblem {
    Unknown,
    Revoked,
    Expired,
    UsedUp,
    /// It is bound to another address than the one signing up.
    ForAnotherEmail,
}

/// What an admitted sign-up gets from its invitation, if it used one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Admission {
    pub invitation: Option<Uuid>,
    pub makes_admin: bool,
}

/// An invitation as stored (its token's hash aside).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InvitationRecord {
    pub id: Uuid,
    pub email: Option<String>,
    pub role: String,
    pub uses_left: i64,
    pub uses: i64,
    pub expires_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    /// The maker's address, while their account exists.
    pub creator_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl InvitationRecord {
    pub fn makes_admin(&self) -> bool {
        self.role == "admin"
    }

    /// Whether it can still be used at `now`.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.problem(now).is_none()
    }

    fn problem(&self, now: DateTime<Utc>) -> Option<InvitationProblem> {
        if self.revoked_at.is_some() {
            Some(InvitationProblem::Revoked)
        } else if self.expires_at <= now {
            Some(InvitationProblem::Expired)
        } else if self.uses_left <= 0 {
            Some(InvitationProblem::UsedUp)
        } else {
            None
        }
    }
}

const INVITATION_COLUMNS: &str = "i.id, i.email, i.role, i.uses_left, i.uses, i.expires_at, \
     i.created_by, u.email AS creator_email, i.created_at, i.revoked_at";

/// Whether a sign-up may go ahead under `policy`: with `invitation`, the
/// invitation someone's link named (`Some(None)`: named, but unknown), for
/// `email` when the address is known (the page asks before it is). An
/// invitation admits in `open` and `invite` mode, whatever the domain list
/// (the administrator chose the person); without one, `open` mode checks
/// the domain.
pub fn judge(
    policy: &SignupPolicy,
    invitation: Option<Option<&InvitationRecord>>,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Admission, SignupRefusal> {
    if policy.mode == SignupMode::Closed {
        return Err(SignupRefusal::Closed);
    }
    match invitation {
        Some(None) => Err(SignupRefusal::Invitation(InvitationProblem::Unknown)),
        Some(Some(invitation)) => {
            if let Some(problem) = invitation.problem(now) {
                return Err(SignupRefusal::Invitation(problem));
            }
            if let (Some(bound), Some(email)) = (&invitation.email, email)
                && bound != email
            {
                return Err(SignupRefusal::Invitation(
                    InvitationProblem::ForAnotherEmail,
                ));
            }
            Ok(Admission {
                invitation: Some(invitation.id),
                makes_admin: invitation.makes_admin(),
            })
        }
        None if policy.mode == SignupMode::Invite => Err(SignupRefusal::InvitationNeeded),
        None => match email {
            Some(email) if !domain_admitted(&policy.email_domains, email) => {
                Err(SignupRefusal::DomainNotAdmitted {
                    domains: policy.email_domains.clone(),
                })
            }
            _ => Ok(Admission::default()),
        },
    }
}

fn policy_of(
    (mode, domains, require_verified_email, require_second_factor): (String, String, bool, String),
) -> SignupPolicy {
    SignupPolicy {
        require_second_factor: SecondFactorPolicy::from_stored(&require_second_factor),
        // The column's CHECK admits these three only.
        mode: SignupMode::parse(&mode).unwrap_or(SignupMode::Closed),
        email_domains: domains.split_whitespace().map(str::to_owned).collect(),
        require_verified_email,
    }
}

const SELECT_POLICY: &str = "SELECT signup_mode, signup_email_domains, require_verified_email, \
     require_second_factor FROM instance_settings WHERE id = 1";

/// The sign-up policy now.
pub async fn policy(db: &Db) -> Result<SignupPolicy, sqlx::Error> {
    let row: (String, String, bool, String) = on_db!(db, pool => {
        sqlx::query_as(SELECT_POLICY).fetch_one(pool).await
    })?;
    Ok(policy_of(row))
}

/// In the caller's transaction, sets the sign-up policy.
pub async fn set_policy<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    policy: &SignupPolicy,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut update = QueryBuilder::new("UPDATE instance_settings SET signup_mode = ");
    update
        .bind(policy.mode.as_str().to_owned())
        .push(", signup_email_domains = ")
        .bind(policy.email_domains.join(" "))
        .push(", require_verified_email = ")
        .bind(policy.require_verified_email)
        .push(", require_second_factor = ")
        .bind(policy.require_second_factor.as_str())
        .push(", updated_at = ")
        .bind(at)
        .push(" WHERE id = 1");
    DB::execute(tx, update).await?;
    Ok(())
}

/// The invitation whose token is `token`, if there is one, locked until
/// the transaction ends (on PostgreSQL; SQLite's write transaction holds
/// the database).
async fn invitation_by_token<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    token: &LinkToken,
) -> Result<Option<InvitationRecord>, sqlx::Error> {
    // No join: PostgreSQL locks no row of an outer join's nullable side.
    let mut query = QueryBuilder::new(
        "SELECT id, email, role, uses_left, uses, expires_at, created_by, \
         CAST(NULL AS TEXT) AS creator_email, created_at, revoked_at \
         FROM invitations WHERE token_hash = ",
    );
    query.bind(token.hash()).push(DB::FOR_UPDATE);
    DB::fetch_optional(tx, query).await
}

/// Inside the sign-up's write transaction: whether `email` (as parsed) may
/// make an account now, spending one use of the invitation `invite` when
/// it admits them. Concurrent sign-ups with the last use of an invitation
/// take turns on its row: one gets it.
pub async fn admit<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    email: &str,
    invite: Option<&LinkToken>,
    now: DateTime<Utc>,
) -> Result<Admission, StoreError<SignupRefusal>> {
    let settings: (String, String, bool, String) = {
        let query = QueryBuilder::new(SELECT_POLICY);
        DB::fetch_optional(tx, query)
            .await?
            .ok_or_else(|| StoreError::broken("no instance_settings row"))?
    };
    let policy = policy_of(settings);
    let invitation = match invite {
        Some(token) => Some(invitation_by_token(tx, token).await?),
        None => None,
    };
    let admission = judge(
        &policy,
        invitation.as_ref().map(Option::as_ref),
        Some(email),
        now,
    )
    .map_err(StoreError::Refused)?;
    if let Some(id) = admission.invitation {
        let mut spend =
            QueryBuilder::new("UPDATE invitations SET uses_left = uses_left - 1 WHERE id = ");
        spend.bind(id).push(" AND uses_left > 0");
        DB::execute(tx, spend).await?;
    }
    Ok(admission)
}

/// Whether a sign-up would be admitted now, for `invite` (a token from a
/// link) and `email` when it is known, without spending anything: the
/// page asks before showing its form, and sign-up before hashing the
/// password. The invitation, when one admits it.
pub async fn check(
    db: &Db,
    invite: Option<&LinkToken>,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<InvitationRecord>, StoreError<SignupRefusal>> {
    let policy = policy(db).await?;
    let invitation = match invite {
        Some(token) => Some(on_db!(db, pool => {
            let mut tx = pool.begin().await?;
            let found = invitation_by_token(&mut tx, token).await?;
            tx.commit().await?;
            found
        })),
        None => None,
    };
    judge(&policy, invitation.as_ref().map(Option::as_ref), email, now)
        .map_err(StoreError::Refused)?;
    Ok(invitation.flatten())
}

/// A new invitation, as an administrator asked for it.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: Option<String>,
    pub makes_admin: bool,
    pub uses: u32,
    pub lifetime: TimeDelta,
    pub created_by: Option<Uuid>,
}

/// In the caller's write transaction, stores an invitation for `token`,
/// unless as many are usable as an instance keeps; its record.
pub async fn insert_invitation<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    new: &NewInvitation,
    token: &LinkToken,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError<SignupRefusal>> {
    let mut usable = QueryBuilder::new(
        "SELECT COUNT(*) FROM invitations WHERE revoked_at IS NULL AND uses_left > 0 AND expires_at > ",
    );
    usable.bind(now);
    let (count,): (i64,) = DB::fetch_optional(tx, usable).await?.unwrap_or((0,));
    if count >= MAX_USABLE_INVITATIONS {
        return Err(StoreError::Refused(SignupRefusal::TooManyInvitations));
    }
    let id = Uuid::new_v4();
    let mut insert = QueryBuilder::new(
        "INSERT INTO invitations (id, token_hash, email, role, uses_left, uses, expires_at, \
         created_by, created_at) VALUES (",
    );
    insert
        .bind(id)
        .and_bind(token.hash())
        .and_bind(new.email.clone())
        .and_bind(if new.makes_admin { "admin" } else { "user" }.to_owned())
        .and_bind(i64::from(new.uses))
        .and_bind(i64::from(new.uses))
        .and_bind(now + new.lifetime)
        .and_bind(new.created_by)
        .and_bind(now)
        .push(")");
    DB::execute(tx, insert).await?;
    Ok(id)
}

/// In the caller's transaction, revokes the invitation `id` (revoking it
/// again changes nothing); `NotFound` when there is none.
pub async fn revoke_invitation<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError<SignupRefusal>> {
    let mut update = QueryBuilder::new("UPDATE invitations SET revoked_at = COALESCE(revoked_at, ");
    update
        .bind(at)
        .push(") WHERE id = ")
        .bind(id)
        .push(" RETURNING id");
    let revoked: Option<(Uuid,)> = DB::fetch_optional(tx, update).await?;
    revoked.map(|_| ()).ok_or(StoreError::NotFound)
}

/// One invitation, with its maker's address.
pub async fn invitation(db: &Db, id: Uuid) -> Result<Option<InvitationRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i LEFT JOIN users u ON u.id = i.created_by \
         WHERE i.id = $1"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Invitations, newest first, after the one `(created_at, id)` when given.
pub async fn invitations(
    db: &Db,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<InvitationRecord>, sqlx::Error> {
    on_db!(db, pool => {
        let mut query = QueryBuilder::new(format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i \
             LEFT JOIN users u ON u.id = i.created_by"
        ));
        if let Some((created_at, id)) = after {
            query
                .push(" WHERE (i.created_at < ")
                .bind(created_at)
                .push(" OR (i.created_at = ")
                .bind(created_at)
                .push(" AND i.id < ")
                .bind(id)
                .push("))");
        }
        query.push(" ORDER BY i.created_at DESC, i.id DESC LIMIT ").bind(limit);
        query.build_query_as().fetch_all(pool).await
    })
}
