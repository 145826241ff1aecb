//! The second-factor rules, as methods of [`AuthService`]: setting up an
//! authenticator, turning it off, new recovery codes, the second step of a
//! sign-in, and an administrator's removal.

use chrono::Utc;
use uuid::Uuid;
use webauthn_rs::prelude::PublicKeyCredential;

use super::{
    SecondFactorOverview, TotpState,
    challenge::{CHALLENGE_LIFETIME, MAX_FAILED_CODES, PendingSignIn},
    code::SecondFactorCode,
    passkey, qr, recovery_codes,
    store::{self, Finished, SpentFactor},
    totp::TotpSecret,
};
use crate::{
    auth::{
        attempts::PasswordChecker,
        device::TrustedDevice,
        email::Email,
        security_log::{Event, EventKind, failure},
        service::{Account, AuthService, IssuedToken, Session, disabled_message},
        store::{self as accounts, UserRecord},
    },
    client::Client,
    db::now,
    error::AppError,
    mail::compose,
    signup::LinkToken,
};

/// An authenticator being set up: what the person adds to their app.
pub struct TotpSetup {
    /// The key in base32, for typing.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub otpauth_uri: String,
}

/// A finished second step.
pub struct SecondStepDone {
    pub issued: IssuedToken,
    /// When a recovery code was used: how many the account has left.
    pub recovery_codes_left: Option<i64>,
}

impl AuthService {
    /// Starts setting up an authenticator, after the password: a new key,
    /// which guards nothing until a code from it confirms it. Conflict
    /// when two-step sign-in is on already.
    pub async fn begin_totp(
        &self,
        session: &Session,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<TotpSetup, AppError> {
        let user = self
            .account_with_password(session, password, device_token, client)
            .await?;
        let secret = TotpSecret::generate()?;
        if !store::begin_setup(&self.db, user.id, &secret.to_base32()).await? {
            return Err(already_on());
        }
        Ok(TotpSetup {
            secret: secret.to_base32(),
            otpauth_uri: secret.otpauth_uri(&user.email)?,
        })
    }

    /// Confirms the authenticator being set up with a current code from
    /// it: two-step sign-in is on from now, and the account gets its
    /// recovery codes (returned as shown, this once).
    pub async fn confirm_totp(
        &self,
        session: &Session,
        code: &str,
        client: &Client,
    ) -> Result<Vec<String>, AppError> {
        let Some(row) = store::authenticator(&self.db, session.user_id).await? else {
            return Err(AppError::Conflict(
                "Start setting up two-step sign-in first: it asks for your password and shows \
                 a key for your app."
                    .into(),
            ));
        };
        if row.confirmed_at.is_some() {
            return Err(already_on());
        }
        let secret = stored_secret(&row.secret)?;
        let step = match SecondFactorCode::parse(code) {
            Some(SecondFactorCode::Totp(digits)) => secret.matching_step(&digits, unix_now()),
            _ => None,
        }
        .ok_or_else(|| wrong_code_field("code"))?;
        let codes = recovery_codes::generate()?;
        let hashes: Vec<String> = codes
            .iter()
            .map(|code| recovery_codes::hash(code))
            .collect();
        let event = Event::new(EventKind::TotpEnabled, client)
            .user(session.user_id, &session.email)
            .session(session.session_id);
        if !store::confirm_setup(&self.db, session.user_id, step, &hashes, &event).await? {
            return Err(wrong_code_field("code"));
        }
        tracing::info!("two-step sign-in turned on");
        Ok(recovery_codes::shown(&codes))
    }

    /// Turns two-step sign-in off, with the password and a code (from the
    /// app, or a recovery code). Wrong ones spend the password budget.
    pub async fn disable_totp(
        &self,
        session: &Session,
        password: &str,
        code: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<(), AppError> {
        let user = self.account_user(session).await?;
        let email = Email::parse(&user.email).map_err(AppError::internal)?;
        let checker = self.checker(&email, device_token).await?;
        self.budgets
            .spend_password_check(client, &email, &checker)
            .await?;
        if !self.hasher.verify(password, &user.password_hash).await? {
            return Err(
                AppError::Invalid("That password is not correct.".into()).in_field("password")
            );
        }
        let Some(row) = store::authenticator(&self.db, user.id)
            .await?
            .filter(|row| row.confirmed_at.is_some())
        else {
            return Err(AppError::Conflict("Two-step sign-in is not on.".into()));
        };
        let spent = match factor_of(Some(&row.secret), code)? {
            Some(factor) => store::spend_factor(&self.db, user.id, &factor).await?,
            None => false,
        };
        if !spent {
            return Err(wrong_code_field("code"));
        }
        accounts::forget_attempts(&self.db, &checker.budget_key(&email)).await?;
        let event = Event::new(EventKind::TotpDisabled, client)
            .user(user.id, &user.email)
            .session(session.session_id);
        store::remove(&self.db, user.id, false, &event).await?;
        tracing::info!("two-step sign-in turned off");
        Ok(())
    }

    /// New recovery codes, after the password: the old ones stop working.
    pub async fn renew_recovery_codes(
        &self,
        session: &Session,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<Vec<String>, AppError> {
        let user = self
            .account_with_password(session, password, device_token, client)
            .await?;
        let codes = recovery_codes::generate()?;
        let hashes: Vec<String> = codes
            .iter()
            .map(|code| recovery_codes::hash(code))
            .collect();
        let event = Event::new(EventKind::RecoveryCodesRenewed, client)
            .user(user.id, &user.email)
            .session(session.session_id);
        if !store::replace_recovery_codes(&self.db, user.id, &hashes, &event).await? {
            return Err(AppError::Conflict(
                "Turn on two-step sign-in first: recovery codes come with it.".into(),
            ));
        }
        Ok(recovery_codes::shown(&codes))
    }

    /// What the security page shows of the account's second factors.
    pub async fn second_factor_overview(
        &self,
        session: &Session,
        new_recovery_codes: Option<Vec<String>>,
    ) -> Result<SecondFactorOverview, AppError> {
        let totp = match store::authenticator(&self.db, session.user_id).await? {
            None => TotpState::Off,
            Some(row) if row.confirmed_at.is_some() => TotpState::On {
                recovery_codes_left: u32::try_from(
                    store::recovery_codes_left(&self.db, session.user_id).await?,
                )
                .unwrap_or_default(),
            },
            Some(row) => {
                let secret = stored_secret(&row.secret)?;
                let otpauth_uri = secret.otpauth_uri(&session.email)?;
                TotpState::SettingUp {
                    secret: secret.to_base32(),
                    qr_svg: qr::svg(
                        &otpauth_uri,
                        "QR code of the key, for your authenticator app",
                    )?,
                    otpauth_uri,
                }
            }
        };
        Ok(SecondFactorOverview {
            totp,
            required: session.second_factor_missing(),
            new_recovery_codes,
        })
    }

    /// After the right password of an account with a second factor: the
    /// sign-in step that a code finishes, logged.
    pub(in crate::auth) async fn start_second_step(
        &self,
        user: &UserRecord,
        checker: &PasswordChecker,
        client: &Client,
    ) -> Result<PendingSignIn, AppError> {
        let challenge = LinkToken::generate().map_err(AppError::internal)?;
        let lifetime =
            chrono::Duration::from_std(CHALLENGE_LIFETIME).map_err(AppError::internal)?;
        let device_id = match checker {
            PasswordChecker::Device(device) => Some(device.id()),
            PasswordChecker::Untrusted => None,
        };
        let event = Event::new(EventKind::SecondFactorAsked, client).user(user.id, &user.email);
        store::create_challenge(
            &self.db,
            &challenge.hash(),
            user.id,
            device_id,
            now() + lifetime,
            &event,
        )
        .await?;
        Ok(PendingSignIn {
            challenge,
            expires_in: CHALLENGE_LIFETIME,
            methods: self.step_methods(user.id).await?,
        })
    }

    /// The ways a sign-in step of the account can be finished: `totp` and
    /// `recovery_code` with an authenticator app, `passkey` with passkeys
    /// (where this instance can use them).
    async fn step_methods(&self, user_id: Uuid) -> Result<Vec<&'static str>, AppError> {
        let mut methods = Vec::new();
        for method in store::methods(&self.db, user_id).await? {
            match method {
                "totp" => methods.extend(["totp", "recovery_code"]),
                other if self.passkeys_available() => methods.push(other),
                _ => {}
            }
        }
        Ok(methods)
    }

    /// How the live sign-in step `challenge` can be finished; `None` for
    /// a step that is unknown, expired or done.
    pub async fn sign_in_step_methods(
        &self,
        challenge: &str,
    ) -> Result<Option<Vec<&'static str>>, AppError> {
        let Some(challenge) = LinkToken::parse(challenge) else {
            return Ok(None);
        };
        match store::challenge(&self.db, &challenge.hash()).await? {
            Some(step) => Ok(Some(self.step_methods(step.user_id).await?)),
            None => Ok(None),
        }
    }

    /// Finishes a sign-in's second step with a code from the app or a
    /// recovery code. A wrong or reused code spends the budget a wrong
    /// password would (the device's own, if the password was checked on
    /// a trusted device) and is logged; a step works once, for five
    /// minutes and five wrong codes.
    pub async fn finish_sign_in(
        &self,
        challenge: &str,
        code: &str,
        client: &Client,
    ) -> Result<SecondStepDone, AppError> {
        self.finish_second_step(challenge, SecondStepAnswer::Code(code), client)
            .await
    }

    /// As [`Self::finish_sign_in`], with a passkey's answer to the options
    /// of [`Self::begin_passkey_second_step`].
    pub async fn finish_sign_in_with_passkey(
        &self,
        challenge: &str,
        credential: serde_json::Value,
        client: &Client,
    ) -> Result<SecondStepDone, AppError> {
        let credential = passkey::read_credential(credential)?;
        self.finish_second_step(challenge, SecondStepAnswer::Passkey(&credential), client)
            .await
    }

    #[tracing::instrument(skip_all)]
    async fn finish_second_step(
        &self,
        challenge: &str,
        answer: SecondStepAnswer<'_>,
        client: &Client,
    ) -> Result<SecondStepDone, AppError> {
        let challenge = LinkToken::parse(challenge).ok_or(AppError::SignInStepExpired)?;
        let challenge_hash = challenge.hash();
        let step = store::challenge(&self.db, &challenge_hash)
            .await?
            .ok_or(AppError::SignInStepExpired)?;
        let user = accounts::find_user(&self.db, step.user_id)
            .await?
            .ok_or(AppError::SignInStepExpired)?;
        let email = Email::parse(&user.email).map_err(AppError::internal)?;
        let checker = match step.device_id {
            Some(id) if accounts::is_trusted_device(&self.db, id, &email).await? => {
                PasswordChecker::Device(TrustedDevice::known(id))
            }
            _ => PasswordChecker::Untrusted,
        };
        let failed = |reason| {
            Event::new(EventKind::SecondFactorFailed, client)
                .user(user.id, &user.email)
                .detail(reason)
        };
        if let Err(refused) = self
            .budgets
            .spend_password_check(client, &email, &checker)
            .await
        {
            let event = Event::new(EventKind::SignInFailed, client)
                .user(user.id, &user.email)
                .detail(failure::LOCKED);
            accounts::record_event(&self.db, &event).await?;
            return Err(refused);
        }
        if user.is_disabled(now()) {
            return Err(AppError::AccountDisabled(disabled_message(&user)));
        }
        let (factor, refusal) = match answer {
            SecondStepAnswer::Code(code) => {
                let secret = store::authenticator(&self.db, user.id)
                    .await?
                    .filter(|row| row.confirmed_at.is_some())
                    .map(|row| row.secret);
                (
                    factor_of(secret.as_deref(), code)?,
                    AppError::InvalidSecondFactor,
                )
            }
            SecondStepAnswer::Passkey(credential) => (
                self.passkey_factor(user.id, step.passkey_state.as_deref(), credential)
                    .await?,
                AppError::PasskeyRefused,
            ),
        };
        let Some(factor) = factor else {
            let event = failed(failure::WRONG_CODE);
            store::fail_challenge(&self.db, &challenge_hash, MAX_FAILED_CODES, &event).await?;
            return Err(refusal);
        };
        let session = self.new_session(user.id, client, &checker)?;
        let how = match factor {
            SpentFactor::Totp(_) => "with an authenticator code",
            SpentFactor::RecoveryCode(_) => "with a recovery code",
            SpentFactor::Passkey { .. } => "with a password and a passkey",
        };
        let finished = store::finish_sign_in(
            &self.db,
            &challenge_hash,
            &factor,
            &checker.budget_key(&email),
            &session,
            &user.email,
            how,
        )
        .await?;
        match finished {
            Finished::SignedIn {
                recovery_codes_left,
            } => {
                let account = Account {
                    second_factor: true,
                    ..Account::from(user)
                };
                Ok(SecondStepDone {
                    issued: self.issue_for_device(account, &session, &email)?,
                    recovery_codes_left,
                })
            }
            Finished::StepGone => Err(AppError::SignInStepExpired),
            Finished::CodeSpent => {
                let reason = match factor {
                    SpentFactor::Totp(_) => failure::REUSED_CODE,
                    SpentFactor::RecoveryCode(_) | SpentFactor::Passkey { .. } => {
                        failure::WRONG_CODE
                    }
                };
                store::fail_challenge(&self.db, &challenge_hash, MAX_FAILED_CODES, &failed(reason))
                    .await?;
                Err(refusal)
            }
        }
    }

    /// An administrator (`actor`, or the command line when `None`) removes
    /// the account's second factor, logged; the account is told by mail
    /// when this instance sends mail. `false` when it had none.
    pub async fn remove_second_factor(
        &self,
        user_id: Uuid,
        actor: Option<Uuid>,
        client: &Client,
    ) -> Result<bool, AppError> {
        let user = accounts::find_user(&self.db, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut event =
            Event::new(EventKind::SecondFactorRemovedByAdmin, client).user(user.id, &user.email);
        event.actor_id = actor;
        if !store::remove(&self.db, user.id, true, &event).await? {
            return Ok(false);
        }
        if self.mailer.can_send() {
            let notice =
                compose::second_factor_removed_notice(&user.email, user.id, &self.public_origin);
            crate::mail::store::queue(&self.db, &notice).await?;
            self.mailer.wake();
        }
        tracing::info!(user_id = %user.id, "second factor removed by an administrator");
        Ok(true)
    }

    async fn account_user(&self, session: &Session) -> Result<UserRecord, AppError> {
        accounts::find_user(&self.db, session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

/// How a sign-in's second step is answered.
enum SecondStepAnswer<'a> {
    /// A code from the app, or a recovery code.
    Code(&'a str),
    Passkey(&'a PublicKeyCredential),
}

/// What `code` would spend of the account whose authenticator key is
/// `secret` (if it has one): the step its app code matches now, or a
/// recovery code (by its hash); `None` for a code that is neither.
fn factor_of(secret: Option<&str>, code: &str) -> Result<Option<SpentFactor>, AppError> {
    Ok(match SecondFactorCode::parse(code) {
        Some(SecondFactorCode::Totp(digits)) => match secret {
            Some(secret) => stored_secret(secret)?
                .matching_step(&digits, unix_now())
                .map(SpentFactor::Totp),
            None => None,
        },
        Some(SecondFactorCode::Recovery(canonical)) => {
            Some(SpentFactor::RecoveryCode(recovery_codes::hash(&canonical)))
        }
        None => None,
    })
}

fn stored_secret(text: &str) -> Result<TotpSecret, AppError> {
    TotpSecret::from_base32(text).ok_or_else(|| AppError::internal("stored TOTP key unreadable"))
}

fn already_on() -> AppError {
    AppError::Conflict(
        "Two-step sign-in is on already. To move to another app, turn it off and set it up again."
            .into(),
    )
}

fn wrong_code_field(field: &str) -> AppError {
    AppError::Invalid(
        "That code is not right, or it was used already: enter the code your authenticator app \
         shows now."
            .into(),
    )
    .in_field(field)
}

fn unix_now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or_default()
}
