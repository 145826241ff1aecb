//! Getting back into an account: a reset link mailed to its owner, or made
//! by an administrator (console, API, `taskward admin reset-link`) where
//! there is no mail. A link works once, for [`RESET_LINK_MINUTES`]; only
//! its token's SHA-256 is kept; a newer link, a password change and the
//! reset itself end it. Setting the password with it ends every session and
//! trusted device of the account.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{
    email::Email,
    security_log::{Event, EventKind},
    service::{AuthService, parse_new_password},
    store,
};
use crate::{
    client::Client,
    db::{Db, WritePool as _, now},
    error::AppError,
    mail::{Mailer, compose},
    on_db,
    signup::LinkToken,
};

/// How long a reset link works.
pub const RESET_LINK_MINUTES: i64 = 30;

/// What a used, replaced, expired or mangled link gets.
pub const RESET_LINK_INVALID: &str = "This reset link does not work any more: it was used, a \
     newer one was made, the password was changed, or its 30 minutes are over. Ask for a new one.";

/// The page a link opens.
pub fn reset_url(origin: &str, token: &LinkToken) -> String {
    format!(
        "{}/reset-password?token={}",
        origin.trim_end_matches('/'),
        token.as_str()
    )
}

impl AuthService {
    /// "Forgot your password?": mails a reset link when an account has
    /// `email`. The answer and its timing are the same either way: after
    /// the budgets are spent, the lookup and the mail happen in a task of
    /// their own.
    pub async fn request_password_reset(
        &self,
        email: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let email = Email::parse(email)?;
        if !self.mailer.can_send() {
            return Err(AppError::Conflict(
                "This instance cannot send mail, so it cannot mail you a reset link. Ask an \
                 administrator to make one for you."
                    .into(),
            ));
        }
        self.budgets
            .spend_reset_request(client.address, &email)
            .await?;
        let (db, mailer, client, origin) = (
            self.db.clone(),
            self.mailer.clone(),
            client.clone(),
            self.public_origin.clone(),
        );
        tokio::spawn(async move {
            if let Err(error) = mail_reset_link(&db, &mailer, &email, &client, &origin).await {
                tracing::warn!(%error, "could not queue a reset link");
            }
        });
        Ok(())
    }

    /// Sets a new password with the reset link's `token`: every session
    /// and trusted device of the account ends, and the owner is told by mail
    /// (when this instance sends mail).
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let (mailer, origin) = (&self.mailer, self.public_origin.as_str());
        let invalid = || AppError::Invalid(RESET_LINK_INVALID.into()).in_field("token");
        let token = LinkToken::parse(token).ok_or_else(invalid)?;
        let (user_id, stored_email) = store::reset_link_account(&self.db, &token.hash(), now())
            .await?
            .ok_or_else(invalid)?;
        let email = Email::parse(&stored_email).map_err(AppError::internal)?;
        let password = parse_new_password(password, &email)
            .await
            .map_err(|error| error.in_field("password"))?;
        let hash = self.hasher.hash(&password).await?;
        let event = Event::new(EventKind::PasswordReset, client).user(user_id, &stored_email);
        let notice = mailer
            .can_send()
            .then(|| compose::password_changed(&stored_email, user_id, origin));
        let spent = store::reset_password_with_link(
            &self.db,
            &token.hash(),
            user_id,
            &hash,
            now(),
            &event,
            notice.as_ref(),
        )
        .await?;
        if !spent {
            return Err(invalid());
        }
        // The account's failed sign-ins are forgiven with the new password.
        store::forget_attempts(&self.db, &format!("account:{}", email.as_str())).await?;
        mailer.wake();
        tracing::info!(%user_id, "password set with a reset link; every session ended");
        Ok(())
    }

    /// A reset link for the account `user_id`, made by an administrator
    /// (`actor`; `None` on the command line) for someone without mail:
    /// the URL, shown this once, and when it stops working.
    pub async fn make_reset_link(
        &self,
        user_id: Uuid,
        actor: Option<Uuid>,
        client: &Client,
    ) -> Result<(String, DateTime<Utc>), AppError> {
        let user = store::find_user(&self.db, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let token = LinkToken::generate().map_err(AppError::internal)?;
        let at = now();
        let expires_at = at + TimeDelta::minutes(RESET_LINK_MINUTES);
        let mut event = Event::new(EventKind::ResetLinkMade, client).user(user.id, &user.email);
        if let Some(actor) = actor {
            event = event.actor(actor);
        }
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            store::replace_reset_link(&mut tx, user.id, &token.hash(), at, expires_at).await?;
            store::record(&mut tx, &event).await?;
            tx.commit().await?;
        });
        tracing::info!(%user_id, "reset link made by an administrator");
        Ok((reset_url(&self.public_origin, &token), expires_at))
    }
}

/// The lookup and the mail of [`AuthService::request_password_reset`]: a
/// new link replaces the account's last one, and its mail is queued in the
/// same transaction.
async fn mail_reset_link(
    db: &Db,
    mailer: &Mailer,
    email: &Email,
    client: &Client,
    origin: &str,
) -> Result<(), AppError> {
    let Some(user) = store::find_user_by_email(db, email).await? else {
        return Ok(());
    };
    let token = LinkToken::generate().map_err(AppError::internal)?;
    let at = now();
    let expires_at = at + TimeDelta::minutes(RESET_LINK_MINUTES);
    let mail = compose::password_reset(
        &user.email,
        user.id,
        &reset_url(origin, &token),
        RESET_LINK_MINUTES,
        origin,
    );
    let event = Event::new(EventKind::PasswordResetRequested, client).user(user.id, &user.email);
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        store::replace_reset_link(&mut tx, user.id, &token.hash(), at, expires_at).await?;
        store::record(&mut tx, &event).await?;
        crate::mail::store::enqueue(&mut tx, &mail, at).await?;
        tx.commit().await?;
    });
    mailer.wake();
    Ok(())
}
