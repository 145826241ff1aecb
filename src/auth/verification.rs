//! Proving that an account's address works, and moving an account to a new
//! one: a link mailed to the address (single use, for
//! [`CONFIRMATION_LINK_HOURS`], only its token's SHA-256 kept) confirms it
//! when followed. Sign-up mails one; "send it again" mails another (the
//! older stops working); a change of address, asked for with the password,
//! mails one to the new address and a notice to the old, and the account
//! moves only when that link is followed.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{
    EmailState,
    email::Email,
    security_log::{Event, EventKind},
    service::{AuthService, Session},
    store::{self, AccountRefusal, ConfirmationKind, NewConfirmation},
};
use crate::{
    client::Client,
    db::now,
    error::AppError,
    mail::compose::{self, Mail},
    signup::{self, LinkToken},
};

/// How long a confirmation link works.
pub const CONFIRMATION_LINK_HOURS: i64 = 24;

/// What a used, replaced, expired or mangled link gets.
pub const CONFIRMATION_LINK_INVALID: &str = "This confirmation link does not work any more: it \
     was used, a newer one was sent, or its 24 hours are over. Your account page sends a new one.";

/// Why no link can be mailed here.
const MAIL_OFF: &str = "This instance cannot send mail, so it cannot mail you a confirmation \
     link. Ask an administrator.";

/// The page a link opens.
pub fn confirmation_url(origin: &str, token: &LinkToken) -> String {
    format!("{origin}/verify-email?token={}", token.as_str())
}

/// A confirmation link about to be stored and mailed.
pub(super) struct OutgoingLink {
    kind: ConfirmationKind,
    email: String,
    token: LinkToken,
    expires_at: DateTime<Utc>,
    mail: Mail,
}

impl OutgoingLink {
    pub(super) fn confirmation(&self) -> NewConfirmation<'_> {
        NewConfirmation {
            kind: self.kind,
            email: &self.email,
            token_hash: self.token.hash(),
            expires_at: self.expires_at,
            mail: &self.mail,
        }
    }
}

/// What following a link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The account's address is confirmed.
    Address(String),
    /// The account moved to this address, now confirmed.
    MovedTo(String),
}

impl AuthService {
    /// A new link of `kind` proving `email` for the account `user_id`, or
    /// `None` when this instance sends no mail.
    fn confirmation_link(
        &self,
        kind: ConfirmationKind,
        user_id: Uuid,
        email: &str,
    ) -> Result<Option<OutgoingLink>, AppError> {
        if !self.mailer.can_send() {
            return Ok(None);
        }
        let token = LinkToken::generate().map_err(AppError::internal)?;
        let url = confirmation_url(&self.public_origin, &token);
        let origin = &self.public_origin;
        let mail = match kind {
            ConfirmationKind::Verify => {
                compose::verify_email(email, user_id, &url, CONFIRMATION_LINK_HOURS, origin)
            }
            ConfirmationKind::Change => {
                compose::confirm_new_email(email, user_id, &url, CONFIRMATION_LINK_HOURS, origin)
            }
        };
        Ok(Some(OutgoingLink {
            kind,
            email: email.to_owned(),
            token,
            expires_at: now() + TimeDelta::hours(CONFIRMATION_LINK_HOURS),
            mail,
        }))
    }

    /// The link sign-up mails with the new account, if mail is on.
    pub(super) fn verification_link(
        &self,
        user_id: Uuid,
        email: &str,
    ) -> Result<Option<OutgoingLink>, AppError> {
        self.confirmation_link(ConfirmationKind::Verify, user_id, email)
    }

    /// "Send it again": a new link to the account's address (the older
    /// one stops working), within the account's hourly budget.
    pub async fn send_verification_again(&self, session: &Session) -> Result<(), AppError> {
        if session.email_verified {
            return Err(AppError::Conflict(
                "Your email address is confirmed already.".into(),
            ));
        }
        let link = self
            .confirmation_link(ConfirmationKind::Verify, session.user_id, &session.email)?
            .ok_or_else(|| AppError::Conflict(MAIL_OFF.into()))?;
        self.budgets
            .spend_confirmation_mail(session.user_id)
            .await?;
        store::send_confirmation(&self.db, session.user_id, &link.confirmation(), None, None)
            .await?;
        self.mailer.wake();
        Ok(())
    }

    /// Follows a confirmation link: confirms the account's address, or
    /// moves the account to the new one. Needs no session: the token is the
    /// proof, and it works once.
    pub async fn confirm_email(&self, token: &str, client: &Client) -> Result<Confirmed, AppError> {
        let invalid = || AppError::Invalid(CONFIRMATION_LINK_INVALID.into()).in_field("token");
        let token = LinkToken::parse(token).ok_or_else(invalid)?;
        let at = now();
        let pending = store::confirmation(&self.db, &token.hash(), at)
            .await?
            .ok_or_else(invalid)?;
        let moved_from = format!("from {}", pending.current_email);
        let (event, confirmed) = match pending.kind.0 {
            ConfirmationKind::Verify => (
                Event::new(EventKind::EmailVerified, client)
                    .user(pending.user_id, &pending.current_email),
                Confirmed::Address(pending.email.clone()),
            ),
            ConfirmationKind::Change => (
                Event::new(EventKind::EmailChanged, client)
                    .user(pending.user_id, &pending.email)
                    .detail(&moved_from),
                Confirmed::MovedTo(pending.email.clone()),
            ),
        };
        store::spend_confirmation(&self.db, &token.hash(), &pending, at, &event).await?;
        tracing::info!(user_id = %pending.user_id, kind = ?pending.kind.0, "email address confirmed");
        Ok(confirmed)
    }

    /// Moves the account to `new_email` once a link mailed there is
    /// followed; asked for with the account's password. The old address
    /// is told at once.
    pub async fn request_email_change(
        &self,
        session: &Session,
        password: &str,
        new_email: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<(), AppError> {
        let new_email = Email::parse(new_email).map_err(|error| error.in_field("email"))?;
        let user = store::find_user(&self.db, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if new_email.as_str() == user.email.to_lowercase() {
            return Err(AppError::Invalid("That is your address already.".into()).in_field("email"));
        }
        // A change of address is a way in for an address sign-up refuses.
        let policy = signup::store::policy(&self.db).await?;
        if !signup::domain_admitted(&policy.email_domains, new_email.as_str()) {
            return Err(AppError::Invalid(format!(
                "This Taskward takes addresses at {} only.",
                policy.email_domains.join(", ")
            ))
            .in_field("email"));
        }
        self.confirm_password(
            &user,
            password,
            device_token,
            client,
            ("password", "That password is not correct."),
        )
        .await?;
        if store::find_user_by_email(&self.db, &new_email)
            .await?
            .is_some()
        {
            return Err(AccountRefusal::NewAddressTaken.into());
        }
        let link = self
            .confirmation_link(ConfirmationKind::Change, user.id, new_email.as_str())?
            .ok_or_else(|| AppError::Conflict(MAIL_OFF.into()))?;
        self.budgets.spend_confirmation_mail(user.id).await?;
        let notice = compose::email_change_notice(
            &user.email,
            user.id,
            new_email.as_str(),
            &self.public_origin,
        );
        let moving_to = format!("to {}", new_email.as_str());
        let event = Event::new(EventKind::EmailChangeRequested, client)
            .user(user.id, &user.email)
            .session(session.session_id)
            .detail(&moving_to);
        store::send_confirmation(
            &self.db,
            user.id,
            &link.confirmation(),
            Some(&notice),
            Some(&event),
        )
        .await?;
        self.mailer.wake();
        tracing::info!(user_id = %user.id, "new email address asked for; link mailed there");
        Ok(())
    }

    /// Drops a pending change of address: its link stops working.
    pub async fn cancel_email_change(
        &self,
        session: &Session,
        client: &Client,
    ) -> Result<(), AppError> {
        let event = Event::new(EventKind::EmailChangeCancelled, client)
            .user(session.user_id, &session.email)
            .session(session.session_id);
        if !store::cancel_change(&self.db, session.user_id, &event).await? {
            return Err(AppError::Conflict(
                "No change of address is waiting to be confirmed.".into(),
            ));
        }
        Ok(())
    }

    /// The account's address as its page shows it.
    pub async fn email_state(&self, session: &Session) -> Result<EmailState, AppError> {
        let pending = store::pending_change(&self.db, session.user_id, now()).await?;
        Ok(EmailState {
            email: session.email.clone(),
            verified: session.email_verified,
            required: session.verification_required,
            pending_change: pending.map(|(email, _)| email),
            mail_on: self.mailer.can_send(),
        })
    }
}
