//! The account rules, in one place: sign-up, sign-in, sessions, password
//! changes and account deletion. Server functions (and any other interface)
//! call these; none re-implements them.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    CurrentUser, Role,
    api_tokens::{ApiTokenView, NewApiToken, PersonalToken, TokenScope},
    attempts::{AttemptBudgets, PasswordChecker},
    calendar_feed::{self, FeedOwner, FeedSecret},
    device::DeviceTokens,
    email::Email,
    password::{NewPassword, PasswordHasherPool},
    second_factor::{SecondFactorPolicy, challenge::PendingSignIn},
    security_log::{Event, EventKind, failure},
    store::{self, NewSession},
    token::{AUDIENCE, Claims, ISSUER, TokenError, TokenKeys},
};
use secrecy::SecretString;

use crate::{
    calendar::TimeZone,
    client::Client,
    config::AuthConfig,
    db::{Db, now},
    error::AppError,
    mail::Mailer,
    signup,
};

use super::second_factor;

/// An account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub role: Role,
    pub time_zone: TimeZone,
    pub email_verified: bool,
    /// Signs in with a second factor (an authenticator app).
    pub second_factor: bool,
}

impl Account {
    pub fn current_user(&self) -> CurrentUser {
        CurrentUser {
            id: self.id.to_string(),
            email: self.email.clone(),
            role: self.role,
            time_zone: self.time_zone.name().to_owned(),
            email_verified: self.email_verified,
            second_factor_missing: false,
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
    /// As stored now: a demotion counts from the next request on.
    pub role: Role,
    /// The zone the user's days are counted in, read with the session.
    pub time_zone: TimeZone,
    pub email_verified: bool,
    /// The instance wants addresses confirmed before todos are used.
    pub verification_required: bool,
    /// The account signs in with a second factor.
    pub second_factor: bool,
    /// Whose accounts the instance requires a second factor of.
    pub second_factor_policy: SecondFactorPolicy,
    /// What the request presented: a session's token, or a personal API
    /// token (then `session_id` is the token's id).
    pub via: Credential,
}

/// How a request is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A session, from signing in: every right of the account.
    Session,
    /// A personal API token, with the rights of its scope, on `/api/v1`.
    ApiToken(TokenScope),
}

impl Session {
    pub fn user(&self) -> CurrentUser {
        CurrentUser {
            second_factor_missing: self.second_factor_missing(),
            ..self.account().current_user()
        }
    }

    pub fn account(&self) -> Account {
        Account {
            id: self.user_id,
            email: self.email.clone(),
            created_at: self.user_created_at,
            role: self.role,
            time_zone: self.time_zone,
            email_verified: self.email_verified,
            second_factor: self.second_factor,
        }
    }

    /// Whether the instance requires a second factor of this account and
    /// it has none yet: then it may only set one up, or sign out.
    pub fn second_factor_missing(&self) -> bool {
        self.second_factor_policy.covers(self.role == Role::Admin) && !self.second_factor
    }

    /// Refused (`SecondFactorRequired`) while [`Self::second_factor_missing`].
    pub fn second_factor_access(&self) -> Result<(), AppError> {
        if self.second_factor_missing() {
            return Err(AppError::SecondFactorRequired);
        }
        Ok(())
    }

    /// Whether the account may use its todos and lists now: refused while
    /// the instance requires a confirmed address and this one is not.
    pub fn todo_access(&self) -> Result<(), AppError> {
        if self.verification_required && !self.email_verified {
            return Err(AppError::EmailUnverified);
        }
        Ok(())
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

/// What a right password leads to: a session, or the second step of a
/// sign-in for an account with a second factor.
pub enum SignInOutcome {
    SignedIn(IssuedToken),
    SecondFactorRequired(PendingSignIn),
}

/// A new token for the browser (cookie) or another client (bearer).
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
    /// How long the cookie should live: until the session's absolute end.
    pub session_remaining: Duration,
    pub account: Account,
    /// For a sign-in or sign-up: this client's proof that it has signed in
    /// to the account, for its own password-check budget next time.
    pub device_token: Option<String>,
}

pub struct AuthService {
    pub(super) db: Db,
    keys: TokenKeys,
    devices: DeviceTokens,
    pub(super) hasher: PasswordHasherPool,
    pub(super) budgets: AttemptBudgets,
    config: AuthConfig,
    /// For the mails accounts get (confirmation links, reset links).
    pub(super) mailer: Mailer,
    /// Where those mails' links point.
    pub(super) public_origin: String,
    /// This instance for passkeys; `None` when reached by an IP address.
    pub(super) relying_party: Option<second_factor::passkey::RelyingParty>,
}

impl AuthService {
    pub fn new(
        db: Db,
        jwt_secret: &SecretString,
        config: AuthConfig,
        mailer: Mailer,
        public_origin: &str,
    ) -> Arc<Self> {
        let previous = config.jwt_secret_previous.as_ref();
        Arc::new(Self {
            keys: TokenKeys::new(jwt_secret, previous),
            devices: DeviceTokens::new(jwt_secret, previous),
            hasher: PasswordHasherPool::new(config.password_hashing, config.hashing_concurrency),
            budgets: AttemptBudgets::new(
                db.clone(),
                config.attempts_per_minute_per_address,
                config.max_failed_signins,
                config.failed_signin_window,
                crate::metrics::Refusals::default(),
            ),
            db,
            config,
            mailer,
            public_origin: public_origin.trim_end_matches('/').to_owned(),
            relying_party: second_factor::passkey::RelyingParty::new(public_origin),
        })
    }

    /// How this service's mail goes out.
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// The password hasher, for its load figures.
    pub fn hasher(&self) -> &PasswordHasherPool {
        &self.hasher
    }

    /// The count of refusals by budget, which other bounds that answer 429
    /// (the export slots) add theirs to.
    pub fn refusals(&self) -> crate::metrics::Refusals {
        self.budgets.refusals().clone()
    }

    /// Registers the hasher's figures and the budgets' refusals.
    pub fn register_metrics(&self, registry: &mut crate::metrics::Registry) {
        self.hasher
            .register_metrics(registry.sub_registry_with_prefix("password_hashing"));
        registry.register(
            "budget_refusals",
            "Requests refused (429) because a budget or bound was spent, by budget",
            self.refusals(),
        );
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        time_zone: TimeZone,
        invite: Option<&str>,
        client: &Client,
    ) -> Result<IssuedToken, AppError> {
        self.budgets.spend_sign_up(client.address).await?;
        let email = Email::parse(email)?;
        let invite = signup::invite_field(invite)?;
        // Refused before the password is hashed: a closed instance spends
        // no hashing on sign-ups. The account's transaction checks again.
        signup::store::check(&self.db, invite.as_ref(), Some(email.as_str()), now()).await?;
        let password = parse_new_password(password, &email)
            .await
            .map_err(|error| error.in_field("password"))?;
        let hash = self.hasher.hash(&password).await?;
        let session = self.new_session(Uuid::new_v4(), client, &PasswordChecker::Untrusted)?;
        let verification = self.verification_link(session.user_id, email.as_str())?;
        let user = store::create_account(
            &self.db,
            &email,
            &hash,
            time_zone,
            invite.as_ref(),
            &session,
            verification
                .as_ref()
                .map(|link| link.confirmation())
                .as_ref(),
        )
        .await?;
        if verification.is_some() {
            self.mailer.wake();
        }
        tracing::info!(user_id = %user.id, "account created");
        self.issue_for_device(Account::from(user), &session, &email)
    }

    /// Same message, status and (within noise) time for an unknown email
    /// and a wrong password. `device_token` is what this client got when it
    /// last signed in to the account, if it did.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<SignInOutcome, AppError> {
        let Ok(email) = Email::parse(email) else {
            self.budgets.spend_password_address(client.address).await?;
            self.hasher.verify_against_dummy(password).await?;
            return Err(AppError::InvalidCredentials);
        };
        let failed = |reason| Event::new(EventKind::SignInFailed, client).detail(reason);
        let checker = self.checker(&email, device_token).await?;
        if let Err(refused) = self
            .budgets
            .spend_password_check(client, &email, &checker)
            .await
        {
            let user = store::find_user_by_email(&self.db, &email).await?;
            if let Some(user) = user {
                let event = failed(failure::LOCKED).user(user.id, &user.email);
                store::record_event(&self.db, &event).await?;
            }
            return Err(refused);
        }

        let user = store::find_user_by_email(&self.db, &email).await?;
        let verified = match &user {
            Some(user) => self.hasher.verify(password, &user.password_hash).await?,
            None => {
                self.hasher.verify_against_dummy(password).await?;
                false
            }
        };
        let user = match user {
            Some(user) if verified => user,
            Some(user) => {
                let event = failed(failure::WRONG_PASSWORD).user(user.id, &user.email);
                store::record_event(&self.db, &event).await?;
                return Err(AppError::InvalidCredentials);
            }
            None => {
                let event = failed(failure::UNKNOWN_ACCOUNT).email(email.as_str());
                store::record_event(&self.db, &event).await?;
                return Err(AppError::InvalidCredentials);
            }
        };
        // Told only to someone who knows the password.
        if user.is_disabled(now()) {
            let event = failed(failure::DISABLED).user(user.id, &user.email);
            store::record_event(&self.db, &event).await?;
            return Err(AppError::AccountDisabled(disabled_message(&user)));
        }
        // The attempts are forgiven only when the second step is done too:
        // a known password must not reset the budget that codes draw on.
        if second_factor::store::has_second_factor(&self.db, user.id).await? {
            let pending = self.start_second_step(&user, &checker, client).await?;
            return Ok(SignInOutcome::SecondFactorRequired(pending));
        }
        let session = self.new_session(user.id, client, &checker)?;
        let forgiven = checker.budget_key(&email);
        store::create_session_after_sign_in(&self.db, &forgiven, &session, &user.email).await?;
        self.issue_for_device(Account::from(user), &session, &email)
            .map(SignInOutcome::SignedIn)
    }

    /// Whose budget a password check for `email` draws on: a device's own
    /// only while the account still trusts it.
    pub(super) async fn checker(
        &self,
        email: &Email,
        device_token: Option<&str>,
    ) -> Result<PasswordChecker, AppError> {
        let Some(device) = device_token.and_then(|token| self.devices.verify(token, email)) else {
            return Ok(PasswordChecker::Untrusted);
        };
        Ok(
            if store::is_trusted_device(&self.db, device.id(), email).await? {
                PasswordChecker::Device(device)
            } else {
                PasswordChecker::Untrusted
            },
        )
    }

    /// The signed-in account, once `password` (the form's `password`
    /// field) is confirmed as [`Self::confirm_password`] does: what every
    /// change that asks for the password starts with.
    pub(super) async fn account_with_password(
        &self,
        session: &Session,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<store::UserRecord, AppError> {
        let user = store::find_user(&self.db, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        self.confirm_password(
            &user,
            password,
            device_token,
            client,
            ("password", "That password is not correct."),
        )
        .await?;
        Ok(user)
    }

    /// Checks the signed-in user's password for a change that needs it,
    /// on the same budgets as sign-in. `field` names the input at fault.
    pub(super) async fn confirm_password(
        &self,
        user: &store::UserRecord,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
        (field, refusal): (&str, &str),
    ) -> Result<(), AppError> {
        let email = Email::parse(&user.email).map_err(AppError::internal)?;
        let checker = self.checker(&email, device_token).await?;
        self.budgets
            .spend_password_check(client, &email, &checker)
            .await?;
        if !self.hasher.verify(password, &user.password_hash).await? {
            return Err(AppError::Invalid(refusal.into()).in_field(field));
        }
        store::forget_attempts(&self.db, &checker.budget_key(&email)).await?;
        Ok(())
    }

    /// Counts the user's days in `time_zone` from now on.
    pub async fn set_time_zone(
        &self,
        session: &Session,
        time_zone: TimeZone,
    ) -> Result<Account, AppError> {
        store::set_time_zone(&self.db, session.user_id, time_zone).await?;
        Ok(Account {
            time_zone,
            ..session.account()
        })
    }

    /// When failed password checks last locked the account, for its owner.
    pub async fn locked_at(&self, session: &Session) -> Result<Option<DateTime<Utc>>, AppError> {
        Ok(store::locked_at(&self.db, session.user_id).await?)
    }

    /// Spends one of the user's imports for the hour (429 past them).
    pub async fn spend_import(&self, session: &Session) -> Result<(), AppError> {
        self.budgets.spend_import(session.user_id).await
    }

    /// The database the accounts are in (for what sits beside an account,
    /// such as its reminder settings).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Makes the account a new calendar feed address, replacing the one it
    /// had: the secret is returned this once.
    pub async fn make_calendar_feed(
        &self,
        session: &Session,
        client: &Client,
    ) -> Result<(DateTime<Utc>, FeedSecret), AppError> {
        let secret = FeedSecret::generate()?;
        let at = now();
        let event = Event::new(EventKind::CalendarFeedMade, client)
            .user(session.user_id, &session.email)
            .session(session.session_id);
        calendar_feed::replace(&self.db, session.user_id, &secret, at, &event).await?;
        tracing::info!("calendar feed address made");
        Ok((at, secret))
    }

    /// Turns the account's calendar feed off: 404 when it has none.
    pub async fn turn_off_calendar_feed(
        &self,
        session: &Session,
        client: &Client,
    ) -> Result<(), AppError> {
        let event = Event::new(EventKind::CalendarFeedTurnedOff, client)
            .user(session.user_id, &session.email)
            .session(session.session_id);
        if calendar_feed::remove(&self.db, session.user_id, &event).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// When the account's calendar feed address was made, if it has one.
    pub async fn calendar_feed_made_at(
        &self,
        session: &Session,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        Ok(calendar_feed::made_at(&self.db, session.user_id).await?)
    }

    /// The account a feed address opens, after spending one of the feed's
    /// fetches for the hour (429 past them). `None` for an address that
    /// opens nothing.
    pub async fn open_calendar_feed(
        &self,
        secret: &FeedSecret,
    ) -> Result<Option<FeedOwner>, AppError> {
        let Some(owner) = calendar_feed::owner(&self.db, secret).await? else {
            return Ok(None);
        };
        self.budgets.spend_calendar_fetch(owner.user_id).await?;
        Ok(Some(owner))
    }

    /// Spends one of the account's test reminders for the hour (429 past
    /// them).
    pub async fn spend_test_reminder(&self, session: &Session) -> Result<(), AppError> {
        self.budgets.spend_test_reminder(session.user_id).await
    }

    /// Spends one of the administrator's test mails for the hour (429 past
    /// them).
    pub async fn spend_test_mail(&self, session: &Session) -> Result<(), AppError> {
        self.budgets.spend_test_mail(session.user_id).await
    }

    /// Deletes attempt counters and sessions that have run out, and
    /// security events past their retention; run from time to time by
    /// every instance.
    pub async fn prune_expired(&self) -> Result<u64, AppError> {
        let retention = chrono::Duration::from_std(self.config.security_log_retention)
            .map_err(AppError::internal)?;
        let now = now();
        let pruned = store::prune_expired(&self.db, now, now - retention).await?;
        Ok(pruned
            + second_factor::store::prune_expired(&self.db, now).await?
            + second_factor::store::prune_expired_ceremonies(&self.db, now).await?)
    }

    /// A page of the user's own security events, newest first.
    pub async fn events_page(
        &self,
        session: &Session,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> Result<Vec<store::EventRow>, AppError> {
        Ok(store::events_of_user(&self.db, session.user_id, after, limit).await?)
    }

    /// The user's live sessions, most recently used first.
    pub async fn sessions(&self, session: &Session) -> Result<Vec<store::SessionRow>, AppError> {
        Ok(store::sessions_of_user(&self.db, session.user_id).await?)
    }

    /// The user's own most recent security events.
    pub async fn recent_events(
        &self,
        session: &Session,
    ) -> Result<Vec<super::security_log::LoggedEvent>, AppError> {
        Ok(store::events_of_user(&self.db, session.user_id, None, 20)
            .await?
            .into_iter()
            .filter_map(store::EventRow::into_logged)
            .collect())
    }

    /// Ends one of the user's own sessions (another user's id ends nothing
    /// and answers like an unknown one).
    pub async fn end_session(
        &self,
        session: &Session,
        ended: Uuid,
        client: &Client,
    ) -> Result<(), AppError> {
        let event = Event::new(EventKind::SessionEnded, client)
            .user(session.user_id, &session.email)
            .session(ended);
        if store::delete_session(&self.db, ended, session.user_id, &event).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// A session for `user_id` started by `client`, ending
    /// `session_max_age` from now, on the device `checker` proved (which
    /// stays trusted) or a new one.
    pub(super) fn new_session(
        &self,
        user_id: Uuid,
        client: &Client,
        checker: &PasswordChecker,
    ) -> Result<NewSession, AppError> {
        let max_age =
            chrono::Duration::from_std(self.config.session_max_age).map_err(AppError::internal)?;
        Ok(NewSession {
            id: Uuid::new_v4(),
            user_id,
            expires_at: now() + max_age,
            client: client.clone(),
            device_id: match checker {
                PasswordChecker::Device(device) => device.id(),
                PasswordChecker::Untrusted => Uuid::new_v4(),
            },
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
            device_token: None,
        })
    }

    /// A token for a new session, with a device token for the client.
    pub(super) fn issue_for_device(
        &self,
        account: Account,
        session: &NewSession,
        email: &Email,
    ) -> Result<IssuedToken, AppError> {
        let mut issued = self.issue(account, session.id, session.expires_at)?;
        issued.device_token = Some(self.devices.issue(email, session.device_id)?);
        Ok(issued)
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
        let now = now();
        if record.user_id != claims.sub
            || record.expires_at <= now
            || store::is_disabled(record.disabled_at, record.disabled_until, now)
        {
            return Ok(SessionState::Ended);
        }
        if record
            .last_used_at
            .is_none_or(|used| now - used > LAST_USED_PRECISION)
        {
            store::touch_session(&self.db, claims.sid).await?;
        }
        // The request's log lines name their user from here on.
        tracing::Span::current().record("user_id", tracing::field::display(record.user_id));
        Ok(SessionState::Valid(Session {
            user_id: record.user_id,
            email: record.email,
            user_created_at: record.user_created_at,
            session_id: claims.sid,
            expires_at: record.expires_at,
            token_issued_at: claims.iat,
            signed_with_previous_key: verified.signed_with_previous_key,
            todos_version: record.todos_version,
            role: Role::from_stored(&record.role),
            time_zone: TimeZone::from_stored(&record.time_zone),
            email_verified: record.email_verified_at.is_some(),
            verification_required: record.require_verified_email,
            second_factor: record.has_second_factor,
            second_factor_policy: SecondFactorPolicy::from_stored(&record.require_second_factor),
            via: Credential::Session,
        }))
    }

    /// The account a personal API token signs in, while the token lives
    /// and the account is enabled. Costs one indexed lookup, and a write
    /// of its last use at most every few minutes.
    pub async fn resolve_api_token(&self, token: &PersonalToken) -> Result<SessionState, AppError> {
        let Some(record) = store::find_api_token(&self.db, &token.hash()).await? else {
            return Ok(SessionState::Ended);
        };
        let now = now();
        if record
            .token_expires_at
            .is_some_and(|expires| expires <= now)
            || store::is_disabled(record.disabled_at, record.disabled_until, now)
        {
            return Ok(SessionState::Ended);
        }
        if record
            .token_last_used_at
            .is_none_or(|used| now - used > LAST_USED_PRECISION)
        {
            store::touch_api_token(&self.db, record.token_id).await?;
        }
        tracing::Span::current().record("user_id", tracing::field::display(record.user_id));
        Ok(SessionState::Valid(Session {
            user_id: record.user_id,
            email: record.email,
            user_created_at: record.user_created_at,
            session_id: record.token_id,
            expires_at: record.token_expires_at.unwrap_or(DateTime::<Utc>::MAX_UTC),
            token_issued_at: 0,
            signed_with_previous_key: false,
            todos_version: record.todos_version,
            role: Role::from_stored(&record.role),
            time_zone: TimeZone::from_stored(&record.time_zone),
            email_verified: record.email_verified_at.is_some(),
            verification_required: record.require_verified_email,
            second_factor: record.has_second_factor,
            second_factor_policy: SecondFactorPolicy::from_stored(&record.require_second_factor),
            via: Credential::ApiToken(TokenScope::from_stored(&record.scope)),
        }))
    }

    /// The account's personal API tokens, newest first.
    pub async fn api_tokens(&self, session: &Session) -> Result<Vec<ApiTokenView>, AppError> {
        let rows = store::api_tokens_of_user(&self.db, session.user_id).await?;
        Ok(rows.into_iter().map(token_view).collect())
    }

    /// Makes a personal API token; its secret is in the answer and nowhere
    /// else from then on.
    pub async fn create_api_token(
        &self,
        session: &Session,
        token: &NewApiToken,
        client: &Client,
    ) -> Result<(ApiTokenView, PersonalToken), AppError> {
        let secret = PersonalToken::generate()?;
        let event = Event::new(EventKind::ApiTokenCreated, client)
            .user(session.user_id, &session.email)
            .session(session.session_id)
            .detail(&token.name);
        let row =
            store::create_api_token(&self.db, session.user_id, token, &secret, &event).await?;
        tracing::info!(scope = token.scope.as_str(), "API token made");
        Ok((token_view(row), secret))
    }

    /// Deletes the account's token `id`: 404 when it has none such.
    pub async fn delete_api_token(
        &self,
        session: &Session,
        id: Uuid,
        client: &Client,
    ) -> Result<(), AppError> {
        let token_id = id.to_string();
        let event = Event::new(EventKind::ApiTokenDeleted, client)
            .user(session.user_id, &session.email)
            .session(session.session_id)
            .detail(&token_id);
        if store::delete_api_token(&self.db, session.user_id, id, &event).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
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

    /// Ends the session `token` names, even when the token has expired (its
    /// signature, issuer and audience still have to hold). `Ok(false)` when
    /// the token is ours but its session had already ended.
    pub async fn sign_out(&self, token: &str, client: &Client) -> Result<bool, AppError> {
        let claims = self
            .keys
            .verify_ignoring_expiry(token)
            .map_err(|_| AppError::Unauthenticated)?
            .claims;
        let event = Event::new(EventKind::SignOut, client)
            .user(claims.sub, &claims.email)
            .session(claims.sid);
        Ok(store::delete_session(&self.db, claims.sid, claims.sub, &event).await?)
    }

    pub async fn sign_out_everywhere(
        &self,
        session: &Session,
        client: &Client,
    ) -> Result<(), AppError> {
        let event = Event::new(EventKind::SignOutEverywhere, client)
            .user(session.user_id, &session.email)
            .session(session.session_id);
        store::delete_sessions_of_user(&self.db, session.user_id, &event).await?;
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
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<(), AppError> {
        let user = store::find_user(&self.db, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        self.confirm_password(
            &user,
            current_password,
            device_token,
            client,
            ("current_password", "Your current password is not correct."),
        )
        .await?;
        let email = Email::parse(&user.email).map_err(AppError::internal)?;
        let password = parse_new_password(new_password, &email)
            .await
            .map_err(|error| error.in_field("new_password"))?;
        let hash = self.hasher.hash(&password).await?;
        let event = Event::new(EventKind::PasswordChanged, client)
            .user(user.id, &user.email)
            .session(session.session_id);
        store::change_password_ending_other_sessions(
            &self.db,
            user.id,
            &hash,
            session.session_id,
            &event,
        )
        .await?;
        tracing::info!("password changed; other sessions ended");
        Ok(())
    }

    /// Deletes the account, its todos and its sessions, after the password
    /// is confirmed.
    #[tracing::instrument(skip_all, fields(user_id = %session.user_id))]
    pub async fn delete_account(
        &self,
        session: &Session,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<(), AppError> {
        let user = self
            .account_with_password(session, password, device_token, client)
            .await?;
        let event = Event::new(EventKind::AccountDeleted, client)
            .user(user.id, &user.email)
            .session(session.session_id);
        store::delete_user(&self.db, user.id, &event).await?;
        tracing::info!("account deleted");
        Ok(())
    }
}

/// Checks a new password against the rules on the blocking pool: zxcvbn
/// scores a 128-character password in milliseconds, too long for an async
/// worker thread.
pub(super) async fn parse_new_password(
    password: &str,
    email: &Email,
) -> Result<NewPassword, AppError> {
    let (password, email) = (password.to_owned(), email.clone());
    tokio::task::spawn_blocking(move || NewPassword::parse(&password, &email))
        .await
        .map_err(AppError::internal)?
}

impl From<store::UserRecord> for Account {
    fn from(user: store::UserRecord) -> Self {
        Account {
            role: Role::from_stored(&user.role),
            id: user.id,
            email: user.email,
            created_at: user.created_at,
            time_zone: TimeZone::from_stored(&user.time_zone),
            email_verified: user.email_verified_at.is_some(),
            second_factor: false,
        }
    }
}

/// How often a session's "last used" time is written: a request within
/// this much of the last write does not write again.
const LAST_USED_PRECISION: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

fn token_view(row: store::ApiTokenRow) -> ApiTokenView {
    ApiTokenView {
        id: row.id,
        name: row.name,
        scope: TokenScope::from_stored(&row.scope),
        prefix: row.display_prefix,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
    }
}

/// What a disabled account's owner is told, once they gave its password.
pub(super) fn disabled_message(user: &store::UserRecord) -> String {
    let until = user
        .disabled_until
        .map(|until| format!(" until {}", until.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    let reason = user
        .disabled_reason
        .as_deref()
        .filter(|reason| !reason.is_empty())
        .map(|reason| format!(" The reason given: {reason}"))
        .unwrap_or_default();
    format!("This account has been disabled by an administrator{until}.{reason}")
}

fn unix_seconds(time: DateTime<Utc>) -> u64 {
    u64::try_from(time.timestamp()).unwrap_or_default()
}
