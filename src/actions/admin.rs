//! The console's endpoints, at fixed addresses under `/api/admin/`. Each
//! re-checks, from the database, that the caller is an administrator:
//! anyone else gets 403 (401 without a session).

use leptos::prelude::*;

use crate::admin::{
    CreatedInvitation, EventPage, InvitationPage, MadeResetLink, SignupSettings, UserDetail,
    UserPage,
};
use crate::error::AppError;
use crate::mail::MailPage;

/// Added to the mail page's address once a test mail is queued (after a
/// form post without JavaScript), so the page says so.
pub const TEST_MAIL_QUERY_KEY: &str = "test_mail";

/// Added to an account's console page after a reset link is made: its
/// token, shown there this once.
pub const RESET_TOKEN_QUERY_KEY: &str = "reset_token";
#[cfg(feature = "ssr")]
use ssr::*;

/// A page of users whose email contains `q`, by email.
#[server(prefix = "/api", endpoint = "admin/users")]
pub async fn admin_users(q: Option<String>, cursor: Option<String>) -> Result<UserPage, AppError> {
    context::respond(async {
        admin()?;
        let search = q.unwrap_or_default();
        console_text(&search, "q", MAX_FILTER_CHARS)?;
        let limit = i64::try_from(USERS_PER_PAGE + 1).unwrap_or(i64::MAX);
        let after = cursor.filter(|cursor| !cursor.is_empty());
        if let Some(after) = &after {
            console_text(after, "cursor", MAX_FILTER_CHARS)?;
        }
        let mut rows =
            store::list_users(&context::db()?, search.trim(), after.as_deref(), limit).await?;
        let next_cursor = (rows.len() > USERS_PER_PAGE).then(|| {
            rows.truncate(USERS_PER_PAGE);
            rows.last().map(|row| row.email.to_lowercase())
        });
        let now = crate::db::now();
        let users = rows
            .into_iter()
            .map(|row| user_overview(row, now))
            .collect();
        Ok(UserPage {
            users,
            next_cursor: next_cursor.flatten(),
        })
    })
    .await
}

/// Grants (`role=admin`) or revokes (`role=user`) the admin role.
#[server(prefix = "/api", endpoint = "admin/set-role")]
pub async fn admin_set_role(user: String, role: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        let role = match role.as_str() {
            "admin" => Role::Admin,
            "user" => Role::User,
            _ => return Err(AppError::Invalid("Choose the role admin or user.".into())),
        };
        store::change_role(
            &context::db()?,
            user_id(&user)?,
            role,
            Some(session.user_id),
            &context::client()?,
        )
        .await
        .map_err(|error| refusal_in_words(error, "remove this administrator"))
    })
    .await
}

/// Disables an account, with a reason and, optionally, the day it ends
/// (`YYYY-MM-DD`, at midnight UTC); its sessions end at once.
#[server(prefix = "/api", endpoint = "admin/disable")]
pub async fn admin_disable(
    user: String,
    reason: String,
    until: Option<String>,
) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        let (reason, until) = disabling(&reason, until.as_deref())?;
        store::disable(
            &context::db()?,
            user_id(&user)?,
            &reason,
            until,
            session.user_id,
            &context::client()?,
        )
        .await
        .map_err(|error| refusal_in_words(error, "disable this account"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin/enable")]
pub async fn admin_enable(user: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        store::enable(
            &context::db()?,
            user_id(&user)?,
            session.user_id,
            &context::client()?,
        )
        .await
        .map_err(|error| refusal_in_words(error, "enable this account"))
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin/end-sessions")]
pub async fn admin_end_sessions(user: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        store::end_sessions(
            &context::db()?,
            user_id(&user)?,
            session.user_id,
            &context::client()?,
        )
        .await
        .map_err(|error| refusal_in_words(error, "end these sessions"))
    })
    .await
}

/// Removes the account's two-step sign-in (logged; the account is told by
/// mail when mail is on).
#[server(prefix = "/api", endpoint = "admin/remove-second-factor")]
pub async fn admin_remove_second_factor(user: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        let removed = crate::auth::request::account_service()?
            .remove_second_factor(user_id(&user)?, Some(session.user_id), &context::client()?)
            .await?;
        if removed {
            Ok(())
        } else {
            Err(AppError::Conflict(
                "This account has no two-step sign-in to remove.".into(),
            ))
        }
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin/delete")]
pub async fn admin_delete(user: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        store::delete(
            &context::db()?,
            user_id(&user)?,
            session.user_id,
            &context::client()?,
        )
        .await
        .map_err(|error| refusal_in_words(error, "delete this account"))?;
        // The account's page is gone: back to the list.
        leptos_axum::redirect("/admin?deleted");
        Ok(())
    })
    .await
}

/// A page of the security log, newest first, of one account's email and
/// one kind of event when given.
#[server(prefix = "/api", endpoint = "admin/security-log")]
pub async fn admin_security_log(
    email: Option<String>,
    kind: Option<String>,
    cursor: Option<String>,
) -> Result<EventPage, AppError> {
    context::respond(async {
        admin()?;
        let email = email
            .map(|email| email.trim().to_owned())
            .filter(|e| !e.is_empty());
        if let Some(email) = &email {
            console_text(email, "email", MAX_FILTER_CHARS)?;
        }
        let kind = match kind.as_deref().filter(|kind| !kind.is_empty()) {
            None => None,
            Some(text) => Some(EventKind::parse(text).ok_or_else(|| {
                AppError::Invalid(format!("{} is not a kind of event.", shown(text)))
                    .in_field("kind")
            })?),
        };
        let after = match cursor.as_deref().filter(|cursor| !cursor.is_empty()) {
            None => None,
            Some(text) => Some(decode_cursor(text).ok_or_else(|| {
                AppError::Invalid(
                    "That page link is not valid; start again from the first page.".into(),
                )
                .in_field("cursor")
            })?),
        };
        let limit = i64::try_from(EVENTS_PER_PAGE + 1).unwrap_or(i64::MAX);
        let mut rows = store::events(&context::db()?, email.as_deref(), kind, after, limit).await?;
        let next_cursor = if rows.len() > EVENTS_PER_PAGE {
            rows.truncate(EVENTS_PER_PAGE);
            rows.last().map(encode_cursor)
        } else {
            None
        };
        Ok(EventPage {
            events: rows.into_iter().filter_map(EventRow::into_logged).collect(),
            next_cursor,
        })
    })
    .await
}

/// The sign-up policy.
#[server(prefix = "/api", endpoint = "admin/signup-settings")]
pub async fn admin_signup_settings() -> Result<SignupSettings, AppError> {
    context::respond(async {
        admin()?;
        let policy = signup::store::policy(&context::db()?).await?;
        Ok(SignupSettings {
            mode: policy.mode,
            email_domains: policy.email_domains,
            require_verified_email: policy.require_verified_email,
            require_second_factor: policy.require_second_factor,
        })
    })
    .await
}

/// Sets the sign-up policy: `mode` (`open`, `invite`, `closed`), the
/// email domains sign-up is limited to (separated by commas or spaces;
/// empty for any), whether todos wait for a confirmed address (a
/// checkbox: sent only when ticked), and whose accounts need a second
/// factor (`none`, `admins`, `everyone`; unchanged when not sent).
#[server(prefix = "/api", endpoint = "admin/set-signup")]
pub async fn admin_set_signup(
    mode: String,
    #[server(default)] email_domains: Option<String>,
    #[server(default)] require_verified_email: Option<String>,
    #[server(default)] require_second_factor: Option<String>,
) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        let current = signup::store::policy(&context::db()?).await?;
        let policy = signup_policy(
            &mode,
            email_domains.as_deref().unwrap_or_default(),
            require_verified_email.is_some(),
            require_second_factor
                .as_deref()
                .unwrap_or(current.require_second_factor.as_str()),
        )?;
        store::set_signup_policy(
            &context::db()?,
            &policy,
            Some(session.user_id),
            &context::client()?,
        )
        .await?;
        Ok(())
    })
    .await
}

/// A page of invitations, newest first.
#[server(prefix = "/api", endpoint = "admin/invitations")]
pub async fn admin_invitations(cursor: Option<String>) -> Result<InvitationPage, AppError> {
    context::respond(async {
        admin()?;
        let after = page_cursor(cursor.as_deref())?;
        let (invitations, next) =
            invitation_page(&context::db()?, after, INVITATIONS_PER_PAGE).await?;
        Ok(InvitationPage {
            invitations,
            next_cursor: next,
        })
    })
    .await
}

/// Makes an invitation: for `email` only when given, `uses` accounts
/// (1 when empty), usable for `days` days (7 when empty), making
/// administrators when `role` is `admin`. Its link is in the answer (and,
/// after a form post without JavaScript, in the page it returns to), this
/// once.
#[server(prefix = "/api", endpoint = "admin/invite")]
pub async fn admin_invite(
    #[server(default)] email: Option<String>,
    #[server(default)] uses: Option<String>,
    #[server(default)] days: Option<String>,
    #[server(default)] role: Option<String>,
) -> Result<CreatedInvitation, AppError> {
    context::respond(async {
        let session = admin()?;
        let new = new_invitation(
            email.as_deref(),
            uses.as_deref(),
            days.as_deref(),
            role.as_deref(),
            Some(session.user_id),
        )?;
        let (mailer, origin) = (
            context::provided::<Mailer>("mailer")?,
            context::provided::<PublicOrigin>("public origin")?,
        );
        let (id, token) = store::create_invitation(
            &context::db()?,
            &new,
            &context::client()?,
            invitation_mail(&new, &mailer, &origin.0),
        )
        .await?;
        mailer.wake();
        let url = signup::invitation_url(&origin.0, &token);
        context::return_to_referer_changed(&[], &[(NEW_INVITATION_QUERY_KEY, token.as_str())]);
        Ok(CreatedInvitation {
            id: id.to_string(),
            url,
        })
    })
    .await
}

/// Revokes an invitation: it signs no one up from now on.
#[server(prefix = "/api", endpoint = "admin/revoke-invitation")]
pub async fn admin_revoke_invitation(id: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        store::revoke_invitation(
            &context::db()?,
            id,
            Some(session.user_id),
            &context::client()?,
        )
        .await?;
        Ok(())
    })
    .await
}

/// One account's console page: its facts, live sessions and recent events.
#[server(prefix = "/api", endpoint = "admin/user")]
pub async fn admin_user(id: String) -> Result<UserDetail, AppError> {
    context::respond(async {
        admin()?;
        let id = user_id(&id)?;
        let db = context::db()?;
        let row = store::user(&db, id).await?.ok_or(AppError::NotFound)?;
        let now = crate::db::now();
        let sessions = crate::auth::store::sessions_of_user(&db, id)
            .await?
            .into_iter()
            .map(|session| UserSession {
                device: if session.device.is_empty() {
                    "Unknown device".into()
                } else {
                    session.device
                },
                client_address: session.client_address,
                started_at: date_time(session.created_at),
                last_used_at: date_time(session.last_used_at.unwrap_or(session.created_at)),
            })
            .collect();
        let limit = i64::try_from(USER_EVENTS_SHOWN).unwrap_or(i64::MAX);
        let events = crate::auth::store::events_of_user(&db, id, None, limit)
            .await?
            .into_iter()
            .filter_map(EventRow::into_logged)
            .collect();
        Ok(UserDetail {
            user: user_overview(row, now),
            sessions,
            events,
        })
    })
    .await
}

/// Makes a one-time reset link for the account `user` (30 minutes), shown
/// once on its page: for instances without mail, or mail that does not
/// arrive.
#[server(prefix = "/api", endpoint = "admin/reset-link")]
pub async fn admin_reset_link(user: String) -> Result<MadeResetLink, AppError> {
    context::respond(async {
        let session = admin()?;
        let (url, expires_at) = request::account_service()?
            .make_reset_link(user_id(&user)?, Some(session.user_id), &context::client()?)
            .await?;
        // After a form post without JavaScript, the account's page shows
        // the link: only its token travels in the address.
        if let Some((_, token)) = url.split_once("token=") {
            context::return_to_referer_changed(&[], &[(RESET_TOKEN_QUERY_KEY, token)]);
        }
        Ok(MadeResetLink {
            url,
            expires_at: date_time(expires_at),
        })
    })
    .await
}

/// A page of the outbox, newest first, and how this instance sends mail.
#[server(prefix = "/api", endpoint = "admin/mail")]
pub async fn admin_mail(cursor: Option<String>) -> Result<MailPage, AppError> {
    context::respond(async {
        admin()?;
        let before = mail_cursor(cursor.as_deref())?;
        mail_page(
            &context::db()?,
            &context::provided::<Mailer>("mailer")?,
            before,
            MAILS_PER_PAGE,
        )
        .await
    })
    .await
}

/// Queues a test mail to `to`; the mail page shows how it went.
#[server(prefix = "/api", endpoint = "admin/test-mail")]
pub async fn admin_test_mail(to: String) -> Result<(), AppError> {
    context::respond(async {
        let session = admin()?;
        console_text(&to, "to", MAX_FILTER_CHARS)?;
        send_test_mail(
            &*request::account_service()?,
            &context::db()?,
            &context::provided::<Mailer>("mailer")?,
            &context::provided::<PublicOrigin>("public origin")?,
            &session,
            &to,
        )
        .await?;
        context::return_to_referer_changed(&[], &[(TEST_MAIL_QUERY_KEY, "queued")]);
        Ok(())
    })
    .await
}

/// What only the server runs: the helpers of the server functions above.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    pub(super) use {
        crate::admin::{
            EVENTS_PER_PAGE, INVITATIONS_PER_PAGE, USER_EVENTS_SHOWN, USERS_PER_PAGE, UserSession,
            console::{
                console_text, date_time, decode_position as decode_cursor, disabling,
                encode_position, invitation_mail, invitation_page, mail_cursor, mail_page,
                new_invitation, page_cursor, refusal_in_words, send_test_mail, signup_policy,
                user_overview,
            },
            store,
        },
        crate::config::PublicOrigin,
        crate::mail::{MAILS_PER_PAGE, Mailer},
        crate::signup::{self, NEW_INVITATION_QUERY_KEY},
        crate::{
            auth::{Role, request, security_log::EventKind, service::Session, store::EventRow},
            context,
        },
        uuid::Uuid,
    };

    /// The caller's session, if they are an administrator now.
    pub(super) fn admin() -> Result<Session, AppError> {
        let session = request::session()?;
        if session.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        Ok(session)
    }

    pub(super) fn user_id(text: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(text.trim()).map_err(|_| AppError::NotFound)
    }

    /// Longest search, email filter or users' page link the console takes: an
    /// email is at most 254 characters.
    pub(super) const MAX_FILTER_CHARS: usize = 254;

    /// A value the caller sent, quoted in a message: its first 40 characters.
    pub(super) fn shown(text: &str) -> String {
        let mut chars = text.chars();
        let shown: String = chars.by_ref().take(40).collect();
        if chars.next().is_some() {
            format!("\u{201c}{shown}\u{2026}\u{201d}")
        } else {
            format!("\u{201c}{shown}\u{201d}")
        }
    }

    pub(super) fn encode_cursor(row: &EventRow) -> String {
        encode_position(row.occurred_at, row.id)
    }
}
