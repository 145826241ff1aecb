//! What the console's server functions and the admin API share: the
//! checked inputs of a sign-up policy and of an invitation, pages of
//! invitations, and the page links (an instant and an id) of every list;
//! the mail page and its test mail.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    Disabled, InvitationOverview, InvitationStatus, UserOverview,
    store::{AdminRefusal, UserRow},
};
use crate::{
    auth::{
        Role,
        email::Email,
        second_factor::SecondFactorPolicy,
        service::{AuthService, Session},
    },
    config::PublicOrigin,
    db::{Db, StoreError},
    error::AppError,
    mail::{self, MailOverview, MailPage, MailStatus, Mailer},
    signup::{
        self, DEFAULT_INVITE_DAYS, LinkToken, MAX_INVITE_DAYS, MAX_INVITE_USES, SignupMode,
        store::{InvitationRecord, NewInvitation, SignupPolicy},
    },
};

/// The longest page link read (an instant and an id).
const MAX_CURSOR_BYTES: usize = 64;

/// A page link's position: an instant and an id.
pub fn encode_position(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}.{}", at.timestamp_micros(), id.simple())
}

/// A page link this console made: the instant it names must be one both
/// databases can compare with (PostgreSQL's timestamps end in year 294276;
/// chrono's reach further), so anything outside years 1970 to 9999 is
/// refused rather than sent to the database.
pub fn decode_position(text: &str) -> Option<(DateTime<Utc>, Uuid)> {
    if text.len() > MAX_CURSOR_BYTES {
        return None;
    }
    let (micros, id) = text.split_once('.')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)?
        .and_hms_opt(23, 59, 59)?
        .and_utc();
    if at < DateTime::UNIX_EPOCH || at > last {
        return None;
    }
    Some((at, Uuid::parse_str(id).ok()?))
}

/// Refuses, naming `field`, text with a NUL or longer than `max_chars`.
pub fn console_text(text: &str, field: &str, max_chars: usize) -> Result<(), AppError> {
    crate::error::refuse_nul(text, field)?;
    if text.chars().count() > max_chars {
        return Err(AppError::Invalid(format!(
            "That is longer than the {max_chars} characters this field takes."
        ))
        .in_field(field));
    }
    Ok(())
}

/// The sign-up policy a form or the API sent.
pub fn signup_policy(
    mode: &str,
    email_domains: &str,
    require_verified_email: bool,
    require_second_factor: &str,
) -> Result<SignupPolicy, AppError> {
    let require_second_factor = SecondFactorPolicy::parse(require_second_factor.trim())
        .ok_or_else(|| {
            AppError::Invalid(
                "Choose whose accounts need two-step sign-in: none, admins or everyone.".into(),
            )
            .in_field("require_second_factor")
        })?;
    let mode = SignupMode::parse(mode.trim()).ok_or_else(|| {
        AppError::Invalid("Choose a sign-up mode: open, invite or closed.".into()).in_field("mode")
    })?;
    console_text(email_domains, "email_domains", MAX_DOMAINS_TEXT_CHARS)?;
    let email_domains = signup::parse_domains(email_domains)
        .map_err(|message| AppError::Invalid(message).in_field("email_domains"))?;
    Ok(SignupPolicy {
        mode,
        email_domains,
        require_verified_email,
        require_second_factor,
    })
}

/// The longest list of domains a form may send: every domain at its
/// longest, with a separator.
const MAX_DOMAINS_TEXT_CHARS: usize = signup::MAX_SIGNUP_DOMAINS * (signup::MAX_DOMAIN_CHARS + 2);

/// A page link of a list of invitations: where the last page ended.
pub fn page_cursor(cursor: Option<&str>) -> Result<Option<(DateTime<Utc>, Uuid)>, AppError> {
    match cursor.filter(|cursor| !cursor.is_empty()) {
        None => Ok(None),
        Some(text) => decode_position(text).map(Some).ok_or_else(|| {
            AppError::Invalid(
                "That page link is not valid; start again from the first page.".into(),
            )
            .in_field("cursor")
        }),
    }
}

/// Up to `limit` invitations after `after`, and the cursor of the next
/// page if there is one.
pub async fn invitation_page(
    db: &Db,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: usize,
) -> Result<(Vec<InvitationOverview>, Option<String>), AppError> {
    let asked = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = signup::store::invitations(db, after, asked).await?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last()
            .map(|row| encode_position(row.created_at, row.id))
    } else {
        None
    };
    let now = crate::db::now();
    Ok((
        rows.into_iter().map(|row| overview(row, now)).collect(),
        next,
    ))
}

pub fn overview(row: InvitationRecord, now: DateTime<Utc>) -> InvitationOverview {
    let status = if row.revoked_at.is_some() {
        InvitationStatus::Revoked
    } else if row.expires_at <= now {
        InvitationStatus::Expired
    } else if row.uses_left <= 0 {
        InvitationStatus::UsedUp
    } else {
        InvitationStatus::Usable
    };
    InvitationOverview {
        id: row.id.to_string(),
        makes_admin: row.makes_admin(),
        email: row.email,
        uses: row.uses,
        uses_left: row.uses_left,
        expires_at: row.expires_at.to_rfc3339(),
        created_at: row.created_at.to_rfc3339(),
        created_by: row.creator_email,
        status,
    }
}

/// An invitation as a form or the API asked for it: every part
/// optional, each checked against its bounds.
pub fn new_invitation(
    email: Option<&str>,
    uses: Option<&str>,
    days: Option<&str>,
    role: Option<&str>,
    created_by: Option<Uuid>,
) -> Result<NewInvitation, AppError> {
    let number = |text: Option<&str>, field: &str, default: u32, max: u32| match text
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        None => Ok(default),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|number| (1..=max).contains(number))
            .ok_or_else(|| {
                AppError::Invalid(format!("Choose a whole number from 1 to {max}.")).in_field(field)
            }),
    };
    let uses = number(uses, "uses", 1, MAX_INVITE_USES)?;
    let days = number(days, "days", DEFAULT_INVITE_DAYS, MAX_INVITE_DAYS)?;
    let makes_admin = match role.map(str::trim).unwrap_or_default() {
        "" | "user" => false,
        "admin" => true,
        _ => {
            return Err(AppError::Invalid("Choose the role admin or user.".into()).in_field("role"));
        }
    };
    let email = match email.map(str::trim).filter(|email| !email.is_empty()) {
        None => None,
        Some(email) => Some(
            crate::auth::email::Email::parse(email)
                .map_err(|error| error.in_field("email"))?
                .as_str()
                .to_owned(),
        ),
    };
    Ok(NewInvitation {
        email,
        makes_admin,
        uses,
        lifetime: chrono::TimeDelta::days(i64::from(days)),
        created_by,
    })
}

/// A page link of the mail list: the id the last page ended at.
pub fn mail_cursor(cursor: Option<&str>) -> Result<Option<i64>, AppError> {
    match cursor.filter(|cursor| !cursor.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0 && text.len() <= MAX_CURSOR_BYTES)
            .map(Some)
            .ok_or_else(|| {
                AppError::Invalid(
                    "That page link is not valid; start again from the first page.".into(),
                )
                .in_field("cursor")
            }),
    }
}

/// Up to `limit` mails older than `before`, newest first, with how this
/// instance delivers.
pub async fn mail_page(
    db: &Db,
    mailer: &Mailer,
    before: Option<i64>,
    limit: usize,
) -> Result<MailPage, AppError> {
    let asked = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    let mut rows = mail::store::mails(db, before, asked).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| row.id.to_string())
    } else {
        None
    };
    let mails = rows
        .into_iter()
        .map(|row| {
            // The column's CHECK admits these four only.
            let status = MailStatus::parse(&row.status).unwrap_or(MailStatus::Failed);
            MailOverview {
                id: row.id,
                recipient: row.recipient,
                kind: row.kind,
                attempts: row.attempts,
                last_error: row.last_error,
                created_at: row.created_at.to_rfc3339(),
                next_attempt_at: (status == MailStatus::Queued)
                    .then(|| row.next_attempt_at.to_rfc3339()),
                finished_at: row.finished_at.map(|at| at.to_rfc3339()),
                status,
            }
        })
        .collect();
    Ok(MailPage {
        delivery: mailer.state(),
        mails,
        next_cursor,
    })
}

/// Queues a test mail to `to` from the administrator `session`, on their
/// budget of test mails; refused when this instance cannot send mail.
pub async fn send_test_mail(
    auth: &AuthService,
    db: &Db,
    mailer: &Mailer,
    origin: &PublicOrigin,
    session: &Session,
    to: &str,
) -> Result<i64, AppError> {
    let to = Email::parse(to).map_err(|error| match error {
        AppError::InvalidField { message, .. } => AppError::InvalidField {
            field: "to".into(),
            message,
        },
        other => other,
    })?;
    if !mailer.can_send() {
        return Err(AppError::Conflict(MAIL_OFF.into()));
    }
    auth.spend_test_mail(session).await?;
    let mail = mail::compose::test_mail(to.as_str(), &session.email, &origin.0);
    let id = mail::store::queue(db, &mail).await?;
    mailer.wake();
    Ok(id)
}

/// What is said where a feature needs mail and the instance has none.
pub const MAIL_OFF: &str = "This instance cannot send mail: SMTP_URL is not set. An \
     administrator can set it (see docs/operating.md, Outbound mail).";

/// A refused change in words: `what` names the change ("delete this
/// account"). The console, the API and the CLI share these sentences.
pub fn refusal_in_words(error: StoreError<AdminRefusal>, what: &str) -> AppError {
    match error {
        StoreError::Refused(AdminRefusal::LastAdmin) => AppError::Conflict(format!(
            "You can't {what}: it is the last active administrator. Make someone else an \
             administrator first."
        )),
        StoreError::Refused(AdminRefusal::Yourself) => AppError::Conflict(format!(
            "You can't {what}: it is your own account. Ask another administrator."
        )),
        other => other.into(),
    }
}

/// The longest reason a disabling takes.
pub const MAX_DISABLED_REASON_CHARS: usize = 500;

/// A disabling as a form or the API sent it: a reason of 1 to 500
/// characters, and optionally its end: a day (`2027-01-31`, at midnight
/// UTC) or an RFC 3339 time, in the future.
pub fn disabling(
    reason: &str,
    until: Option<&str>,
) -> Result<(String, Option<DateTime<Utc>>), AppError> {
    let reason = reason.trim();
    crate::error::refuse_nul(reason, "reason")?;
    if reason.is_empty() || reason.chars().count() > MAX_DISABLED_REASON_CHARS {
        return Err(
            AppError::Invalid("Give a reason of 1 to 500 characters.".into()).in_field("reason"),
        );
    }
    let until = match until.map(str::trim).filter(|day| !day.is_empty()) {
        None => None,
        Some(text) => {
            let not_a_day = || {
                let shown: String = text.chars().take(40).collect();
                AppError::Invalid(format!(
                    "\u{201c}{shown}\u{201d} is not a date like 2027-01-31."
                ))
                .in_field("until")
            };
            if text.len() > 40 {
                return Err(not_a_day());
            }
            let until = match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) => date.and_hms_opt(0, 0, 0).map(|at| at.and_utc()),
                Err(_) => DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|at| at.with_timezone(&Utc)),
            }
            .ok_or_else(not_a_day)?;
            let last = NaiveDate::from_ymd_opt(9999, 12, 31)
                .and_then(|day| day.and_hms_opt(0, 0, 0))
                .map(|at| at.and_utc());
            if until <= crate::db::now() || last.is_some_and(|last| until > last) {
                return Err(AppError::Invalid(
                    "Choose a day in the future, before the year 10000.".into(),
                )
                .in_field("until"));
            }
            Some(until)
        }
    };
    Ok((reason.to_owned(), until))
}

/// One account as the console and the API list it.
pub fn user_overview(row: UserRow, now: DateTime<Utc>) -> UserOverview {
    UserOverview {
        disabled: crate::auth::store::is_disabled(row.disabled_at, row.disabled_until, now).then(
            || Disabled {
                reason: row.disabled_reason.clone().unwrap_or_default(),
                until: row.disabled_until.map(date_time),
            },
        ),
        id: row.id.to_string(),
        email: row.email,
        email_verified_at: row.email_verified_at.map(date_time),
        role: Role::from_stored(&row.role),
        created_at: date_time(row.created_at),
        last_sign_in_at: row.last_sign_in_at.map(date_time),
        active_sessions: row.active_sessions,
        todos: row.todos,
        second_factor: row.second_factor,
    }
}

/// An instant as the console shows it: `2026-12-06 07:35 UTC`.
pub fn date_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The mail of a new invitation bound to an address, when this instance
/// sends mail; none for an invitation anyone may use (its link is handed
/// over by whoever made it).
pub fn invitation_mail<'a>(
    new: &'a NewInvitation,
    mailer: &'a Mailer,
    origin: &'a str,
) -> impl FnOnce(&LinkToken) -> Option<mail::compose::Mail> + 'a {
    move |token| {
        let to = new.email.as_deref()?;
        let days = u32::try_from(new.lifetime.num_days()).unwrap_or(u32::MAX);
        mailer.can_send().then(|| {
            mail::compose::invitation(
                to,
                &signup::invitation_url(origin, token),
                days,
                new.makes_admin,
                origin,
            )
        })
    }
}
