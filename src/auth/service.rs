//! The account rules, in one place: sign-up, sign-in, sessions, password
//! changes and account deletion. Server functions (and any other interface)
//! call these; none re-implements them.

use std::{net::IpAddr, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    CurrentUser,
    email::Email,
    password::{NewPassword, PasswordHasherPool},
    rate_limit::{Action, AddressRateLimiter},
    store::{self, CreateUser, NewSession},
    token::{AUDIENCE, Claims, ISSUER, TokenError, TokenKeys},
};
use secrecy::SecretString;

use crate::{
    config::AuthConfig,
    db::{Db, now},
    error::AppError,
};

/// An account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

impl Account {
    pub fn current_user(&self) -> CurrentUser {
        CurrentUser {
            id: self.id.to_string(),
            email: self.email.clone(),
        }
    }
}

/// A signed-in session, as resolved from a valid token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: Uuid,
    pub email: String,
    pub user_created_at: DateTime<Utc>,
    pub session_id: Uuid,
    pub expires_at: DateTime<Utc>,
    /// Issued-at of the token presented, to decide on a refresh.
    pub token_issued_at: u64,
    pub signed_with_previous_key: bool,
    /// Changes whenever the user's todos change (kept by the database), so
    /// a page rendered from an earlier version is known to be stale.
    pub todos_version: i64,
}

impl Session {
    pub fn user(&self) -> CurrentUser {
        self.account().current_user()
    }

    pub fn account(&self) -> Account {
        Account {
            id: self.user_id,
            email: self.email.clone(),
            created_at: self.user_created_at,
        }
    }
}

/// What a request's credentials amount to.
#[derive(Debug, Clone)]
pub enum SessionState {
    /// No token was presented.
    Anonymous,
    Valid(Session),
    /// A genuine token that expired, or whose session was ended.
    Ended,
    /// A token that is not ours: forged, damaged or malformed.
    Invalid,
}

/// A new token for the browser (cookie) or another client (bearer).
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
    /// How long the cookie should live: until the session's absolute end.
    pub session_remaining: Duration,
    pub account: Account,
}

pub struct AuthService {
    db: Db,
    keys: TokenKeys,
    hasher: PasswordHasherPool,
    limiter: AddressRateLimiter,
    config: AuthConfig,
}

impl AuthService {
    pub fn new(db: Db, jwt_secret: &SecretString, config: AuthConfig) -> Arc<Self> {
        Arc::new(Self {
            keys: TokenKeys::new(jwt_secret, config.jwt_secret_previous.as_ref()),
            hasher: PasswordHasherPool::new(config.password_hashing, config.hashing_concurrency),
            limiter: AddressRateLimiter::new(config.attempts_per_minute_per_address),
            db,
            config,
        })
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<IssuedToken, AppError> {
        self.limiter.check(Action::SignUp, client)?;
        let email = Email::parse(email)?;
        let password =
            NewPassword::parse(password, &email).map_err(|error| error.in_field("password"))?;
        let hash = self.hasher.hash(&password).await?;
        match store::create_user(&self.db, &email, &hash).await? {
            CreateUser::Created(user) => {
                tracing::info!(user_id = %user.id, "account created");
                let account = Account::from(user);
                let session = self.new_session(&account)?;
                store::create_session(&self.db, &session).await?;
                self.issue(account, session.id, session.expires_at)
            }
            CreateUser::EmailTaken => Err(AppError::Conflict(
                "That email is already registered. Sign in instead, or use another email.".into(),
            )),
        }
    }

    /// Same message, status and (within noise) time for an unknown email
    /// and a wrong password.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<IssuedToken, AppError> {
        self.limiter.check(Action::SignIn, client)?;
        let Ok(email) = Email::parse(email) else {
            self.hasher.verify_against_dummy(password).await?;
            return Err(AppError::InvalidCredentials);
        };
        self.check_account_lockout(&email).await?;

        let user = store::find_user_by_email(&self.db, &email).await?;
        let verified = match &user {
            Some(user) => self.hasher.verify(password, &user.password_hash).await?,
            None => {
                self.hasher.verify_against_dummy(password).await?;
                false
            }
        };
        match user {
            Some(user) if verified => {
                let account = Account::from(user);
                let session = self.new_session(&account)?;
                store::create_session_after_sign_in(&self.db, &email, &session).await?;
                self.issue(account, session.id, session.expires_at)
            }
            _ => {
                store::record_signin_failure(&self.db, &email).await?;
                Err(AppError::InvalidCredentials)
            }
        }
    }

    /// Refuses sign-in for an email with too many recent failures. Counted
    /// whether or not the account exists, so it reveals nothing.
    async fn check_account_lockout(&self, email: &Email) -> Result<(), AppError> {
        let window = self.config.failed_signin_window;
        let since = now() - chrono::Duration::from_std(window).map_err(AppError::internal)?;
        let (failures, oldest) = store::signin_failures_since(&self.db, email, since).await?;
        if failures < i64::from(self.config.max_failed_signins) {
            return Ok(());
        }
        let unlock_at = oldest.unwrap_or_else(now)
            + chrono::Duration::from_std(window).map_err(AppError::internal)?;
        let wait = (unlock_at - now()).num_seconds().max(1);
        tracing::warn!("sign-in refused: too many failures for one account");
        Err(AppError::RateLimited {
            retry_after_secs: wait as u64,
        })
    }

    /// A session for `account`, ending `session_max_age` from now.
    fn new_session(&self, account: &Account) -> Result<NewSession, AppError> {
        let max_age =
            chrono::Duration::from_std(self.config.session_max_age).map_err(AppError::internal)?;
        Ok(NewSession {
            id: Uuid::new_v4(),
            user_id: account.id,
            expires_at: now() + max_age,
        })
    }

    /// Signs a token for the session, valid for the configured lifetime but
    /// never past the session's absolute end.
    fn issue(
        &self,
        account: Account,
        session_id: Uuid,
        session_expires_at: DateTime<Utc>,
    ) -> Result<IssuedToken, AppError> {
        let issued_at = unix_seconds(now());
        let session_end = unix_seconds(session_expires_at);
        let expires = (issued_at + self.config.session_ttl.as_secs()).min(session_end);
        let claims = Claims {
            sub: account.id,
            email: account.email.clone(),
            iat: issued_at,
            nbf: issued_at,
            exp: expires,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: Uuid::new_v4(),
            sid: session_id,
        };
        let token = self.keys.issue(&claims).map_err(AppError::internal)?;
        Ok(IssuedToken {
            token,
            expires_in: Duration::from_secs(expires.saturating_sub(issued_at)),
            session_remaining: Duration::from_secs(session_end.saturating_sub(issued_at)),
            account,
        })
    }

    /// Checks a token: signature and claims, then the one indexed lookup
    /// that tells whether its session still exists.
    pub async fn resolve(&self, token: &str) -> Result<SessionState, AppError> {
        let verified = match self.keys.verify(token) {
            Ok(verified) => verified,
            Err(TokenError::Expired) => return Ok(SessionState::Ended),
            Err(TokenError::Invalid) => return Ok(SessionState::Invalid),
        };
        let claims = verified.claims;
        let Some(record) = store::find_session(&self.db, claims.sid).await? else {
            return Ok(SessionState::Ended);
        };
        if record.user_id != claims.sub || record.expires_at <= now() {
            return Ok(SessionState::Ended);
        }
        Ok(SessionState::Valid(Session {
            user_id: record.user_id,
            email: record.email,
            user_created_at: record.user_created_at,
            session_id: claims.sid,
            expires_at: record.expires_at,
            token_issued_at: claims.iat,
            signed_with_previous_key: verified.signed_with_previous_key,
            todos_version: record.todos_version,
        }))
    }

    /// A fresh token when the presented one is past half its lifetime or
    /// was signed with the previous key.
    pub fn refresh_if_due(&self, session: &Session) -> Result<Option<IssuedToken>, AppError> {
        let age = unix_seconds(now()).saturating_sub(session.token_issued_at);
        if age * 2 < self.config.session_ttl.as_secs() && !session.signed_with_previous_key {
            return Ok(None);
        }
        self.reissue(session).map(Some)
    }

    /// A fresh token for the same session (for clients that hold the token
    /// themselves); never valid past the session's absolute end.
    pub fn reissue(&self, session: &Session) -> Result<IssuedToken, AppError> {
        self.issue(session.account(), session.session_id, session.expires_at)
    }

    pub async fn sign_out(&self, session: &Session) -> Result<(), AppError> {
        store::delete_session(&self.db, session.session_id, session.user_id).await?;
        Ok(())
    }

    pub async fn sign_out_everywhere(&self, session: &Session) -> Result<(), AppError> {
        store::delete_sessions_of_user(&self.db, session.user_id).await?;
        tracing::info!(user_id = %session.user_id, "signed out everywhere");
        Ok(())
    }

    /// Changes the password and ends every other session; this one stays.
    #[tracing::instrument(skip_all, fields(user_id = %session.user_id))]
    pub async fn change_password(
        &self,
        session: &Session,
        current_password: &str,
        new_password: &str,
        client: IpAddr,
    ) -> Result<(), AppError> {
        self.limiter.check(Action::ChangePassword, client)?;
        let user = store::find_user(&self.db, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if !self
            .hasher
            .verify(current_password, &user.password_hash)
            .await?
        {
            return Err(
                AppError::Invalid("Your current password is not correct.".into())
                    .in_field("current_password"),
            );
        }
        let email = Email::parse(&user.email).map_err(AppError::internal)?;
        let password = NewPassword::parse(new_password, &email)
            .map_err(|error| error.in_field("new_password"))?;
        let hash = self.hasher.hash(&password).await?;
        store::change_password_ending_other_sessions(&self.db, user.id, &hash, session.session_id)
            .await?;
        tracing::info!("password changed; other sessions ended");
        Ok(())
    }

    /// Deletes the account, its todos and its sessions, after the password
    /// is confirmed.
    #[tracing::instrument(skip_all, fields(user_id = %session.user_id))]
    pub async fn delete_account(&self, session: &Session, password: &str) -> Result<(), AppError> {
        let user = store::find_user(&self.db, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if !self.hasher.verify(password, &user.password_hash).await? {
            return Err(
                AppError::Invalid("That password is not correct.".into()).in_field("password")
            );
        }
        store::delete_user(&self.db, user.id).await?;
        tracing::info!("account deleted");
        Ok(())
    }
}

impl From<store::UserRecord> for Account {
    fn from(user: store::UserRecord) -> Self {
        Account {
            id: user.id,
            email: user.email,
            created_at: user.created_at,
        }
    }
}

fn unix_seconds(time: DateTime<Utc>) -> u64 {
    u64::try_from(time.timestamp()).unwrap_or_default()
}
