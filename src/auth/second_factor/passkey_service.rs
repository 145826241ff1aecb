//! The passkey rules, as methods of [`AuthService`]: adding and deleting
//! an account's passkeys, signing in with one (no password, no email: the
//! browser offers the passkeys it holds for this site), and the passkey as
//! the second step after a password. Each ceremony is two requests: the
//! options (a fresh challenge, its state kept in the database for five
//! minutes, once) and the browser's answer.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential,
};

use super::{
    challenge::CHALLENGE_LIFETIME,
    passkey::{
        self, CEREMONY_LIFETIME, MAX_PASSKEYS_PER_ACCOUNT, RelyingParty, from_stored,
        read_credential, to_stored,
    },
    store::{self, Added, CeremonyPurpose, NewPasskey, SpentFactor},
};
use crate::{
    auth::{
        attempts::PasswordChecker,
        email::Email,
        security_log::{Event, EventKind},
        service::{Account, AuthService, IssuedToken, Session, disabled_message},
        store as accounts,
    },
    client::Client,
    db::now,
    error::AppError,
    signup::LinkToken,
};

/// The first half of a ceremony: what the browser passes to
/// `navigator.credentials`, and the token that names the ceremony.
pub struct PasskeyOptions {
    pub ceremony: String,
    /// `{publicKey: ...}`, as WebAuthn's JSON forms (base64url binaries).
    pub options: serde_json::Value,
}

/// A passkey, as its owner sees it.
#[derive(Debug, Clone)]
pub struct PasskeySummary {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<store::PasskeyRow> for PasskeySummary {
    fn from(row: store::PasskeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

impl AuthService {
    /// Whether this instance offers passkeys (its `PUBLIC_ORIGIN` is a
    /// domain name).
    pub fn passkeys_available(&self) -> bool {
        self.relying_party.is_some()
    }

    fn relying_party(&self) -> Result<&RelyingParty, AppError> {
        self.relying_party.as_ref().ok_or_else(|| {
            AppError::Conflict(
                "Passkeys need this Taskward reached by a domain name: browsers refuse them on \
                 an IP address (PUBLIC_ORIGIN)."
                    .into(),
            )
        })
    }

    /// The second factors the account signs in with (`totp`, `passkey`).
    pub async fn second_factor_methods(
        &self,
        user_id: Uuid,
    ) -> Result<Vec<&'static str>, AppError> {
        Ok(store::methods(&self.db, user_id).await?)
    }

    /// The account's passkeys, oldest first.
    pub async fn passkeys(&self, session: &Session) -> Result<Vec<PasskeySummary>, AppError> {
        Ok(store::passkeys(&self.db, session.user_id)
            .await?
            .into_iter()
            .map(PasskeySummary::from)
            .collect())
    }

    /// Starts adding a passkey, after the password: the options for
    /// `navigator.credentials.create`. The account's passkeys are excluded,
    /// so one device does not register twice.
    pub async fn begin_passkey_registration(
        &self,
        session: &Session,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<PasskeyOptions, AppError> {
        let relying_party = self.relying_party()?;
        let user = self
            .account_with_password(session, password, device_token, client)
            .await?;
        let existing = store::passkeys(&self.db, user.id).await?;
        if existing.len() >= MAX_PASSKEYS_PER_ACCOUNT {
            return Err(too_many());
        }
        let exclude = existing
            .iter()
            .map(|row| from_stored::<Passkey>(&row.passkey).map(|key| key.cred_id().clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let (options, state) = relying_party
            .webauthn()
            .start_passkey_registration(user.id, &user.email, &user.email, Some(exclude))
            .map_err(AppError::internal)?;
        let options = passkey::prefer_discoverable(options)?;
        let ceremony = self
            .start_ceremony(
                CeremonyPurpose::Register,
                Some(user.id),
                &to_stored(&state)?,
            )
            .await?;
        Ok(PasskeyOptions { ceremony, options })
    }

    /// Finishes adding a passkey with the browser's answer, named `name`.
    pub async fn finish_passkey_registration(
        &self,
        session: &Session,
        ceremony: &str,
        name: &str,
        credential: serde_json::Value,
        client: &Client,
    ) -> Result<PasskeySummary, AppError> {
        let relying_party = self.relying_party()?;
        let name = passkey::parse_name(name)?;
        let credential: RegisterPublicKeyCredential = read_credential(credential)?;
        let state: PasskeyRegistration = self
            .take_ceremony(ceremony, CeremonyPurpose::Register, Some(session.user_id))
            .await?;
        let passkey = relying_party
            .webauthn()
            .finish_passkey_registration(&credential, &state)
            .map_err(|_| AppError::PasskeyRefused)?;
        let id = Uuid::new_v4();
        let event = Event::new(EventKind::PasskeyAdded, client)
            .user(session.user_id, &session.email)
            .session(session.session_id)
            .detail(&name);
        let stored = to_stored(&passkey)?;
        let added = store::add_passkey(
            &self.db,
            &NewPasskey {
                id,
                user_id: session.user_id,
                credential_id: &credential_key(passkey.cred_id()),
                name: &name,
                stored: &stored,
            },
            MAX_PASSKEYS_PER_ACCOUNT,
            &event,
        )
        .await?;
        match added {
            Added::Added => {}
            Added::Full => return Err(too_many()),
            Added::Known => {
                return Err(AppError::Conflict("That passkey is added already.".into()));
            }
        }
        tracing::info!("passkey added");
        Ok(PasskeySummary {
            id,
            name,
            created_at: now(),
            last_used_at: None,
        })
    }

    /// Deletes one of the account's passkeys, after the password.
    pub async fn delete_passkey(
        &self,
        session: &Session,
        id: Uuid,
        password: &str,
        device_token: Option<&str>,
        client: &Client,
    ) -> Result<(), AppError> {
        let user = self
            .account_with_password(session, password, device_token, client)
            .await?;
        let event = Event::new(EventKind::PasskeyDeleted, client)
            .user(user.id, &user.email)
            .session(session.session_id);
        if !store::delete_passkey(&self.db, user.id, id, &event).await? {
            return Err(AppError::NotFound);
        }
        tracing::info!("passkey deleted");
        Ok(())
    }

    /// Starts a sign-in with a passkey: options that let the browser offer
    /// any passkey it holds for this site. Each start spends the address's
    /// sign-in allowance, which bounds the ceremonies one client can leave
    /// waiting.
    pub async fn begin_passkey_sign_in(&self, client: &Client) -> Result<PasskeyOptions, AppError> {
        let relying_party = self.relying_party()?;
        self.budgets.spend_password_address(client.address).await?;
        let (options, state) = relying_party
            .webauthn()
            .start_discoverable_authentication()
            .map_err(AppError::internal)?;
        let options = passkey::on_request(options);
        let ceremony = self
            .start_ceremony(CeremonyPurpose::SignIn, None, &to_stored(&state)?)
            .await?;
        Ok(PasskeyOptions {
            ceremony,
            options: serde_json::to_value(options).map_err(AppError::internal)?,
        })
    }

    /// Finishes a sign-in with a passkey: a new session for the account
    /// whose passkey answered. The passkey verified its holder (PIN or
    /// biometric), so no password and no second step are asked.
    #[tracing::instrument(skip_all)]
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony: &str,
        credential: serde_json::Value,
        client: &Client,
    ) -> Result<IssuedToken, AppError> {
        let relying_party = self.relying_party()?;
        let credential: PublicKeyCredential = read_credential(credential)?;
        let state = self
            .take_ceremony(ceremony, CeremonyPurpose::SignIn, None)
            .await?;
        let (user_handle, credential_id) = relying_party
            .webauthn()
            .identify_discoverable_authentication(&credential)
            .map_err(|_| AppError::PasskeyRefused)?;
        let row = store::passkey_by_credential(&self.db, &credential_key(credential_id))
            .await?
            .filter(|row| row.user_id == user_handle)
            .ok_or(AppError::PasskeyRefused)?;
        let user = accounts::find_user(&self.db, row.user_id)
            .await?
            .ok_or(AppError::PasskeyRefused)?;
        let mut passkey: Passkey = from_stored(&row.passkey)?;
        let checked = relying_party
            .webauthn()
            .finish_discoverable_authentication_v2(&credential, state, &passkey);
        let Ok(result) = checked else {
            let event = Event::new(EventKind::SignInFailed, client)
                .user(user.id, &user.email)
                .detail("passkey refused");
            accounts::record_event(&self.db, &event).await?;
            return Err(AppError::PasskeyRefused);
        };
        if user.is_disabled(now()) {
            return Err(AppError::AccountDisabled(disabled_message(&user)));
        }
        passkey.update_credential(&result);
        let email = Email::parse(&user.email).map_err(AppError::internal)?;
        let checker = PasswordChecker::Untrusted;
        let session = self.new_session(user.id, client, &checker)?;
        let signed_in = store::sign_in_with_passkey(
            &self.db,
            row.id,
            &to_stored(&passkey)?,
            &checker.budget_key(&email),
            &session,
            &user.email,
        )
        .await?;
        if !signed_in {
            return Err(AppError::PasskeyRefused);
        }
        let account = Account {
            second_factor: true,
            ..Account::from(user)
        };
        self.issue_for_device(account, &session, &email)
    }

    /// For a sign-in step (after the password) of an account with
    /// passkeys: the options that ask for one of them. Asking again
    /// replaces the last options.
    pub async fn begin_passkey_second_step(
        &self,
        challenge: &str,
    ) -> Result<serde_json::Value, AppError> {
        let relying_party = self.relying_party()?;
        let challenge = LinkToken::parse(challenge).ok_or(AppError::SignInStepExpired)?;
        let step = store::challenge(&self.db, &challenge.hash())
            .await?
            .ok_or(AppError::SignInStepExpired)?;
        let passkeys = store::passkeys(&self.db, step.user_id)
            .await?
            .iter()
            .map(|row| from_stored::<Passkey>(&row.passkey))
            .collect::<Result<Vec<_>, _>>()?;
        if passkeys.is_empty() {
            return Err(AppError::Conflict(
                "This account has no passkey: finish with a code from your authenticator app."
                    .into(),
            ));
        }
        let (options, state) = relying_party
            .webauthn()
            .start_passkey_authentication(&passkeys)
            .map_err(AppError::internal)?;
        if !store::set_passkey_state(&self.db, &challenge.hash(), &to_stored(&state)?).await? {
            return Err(AppError::SignInStepExpired);
        }
        serde_json::to_value(passkey::on_request(options)).map_err(AppError::internal)
    }

    /// What a passkey's answer to a sign-in step would spend: the
    /// account's passkey that answered, with its counter moved on; `None`
    /// when the answer does not check out against the step's options.
    pub(super) async fn passkey_factor(
        &self,
        user_id: Uuid,
        passkey_state: Option<&str>,
        credential: &PublicKeyCredential,
    ) -> Result<Option<SpentFactor>, AppError> {
        let (Some(relying_party), Some(state)) = (self.relying_party.as_ref(), passkey_state)
        else {
            return Ok(None);
        };
        let state: PasskeyAuthentication = from_stored(state)?;
        let Ok(result) = relying_party
            .webauthn()
            .finish_passkey_authentication(credential, &state)
        else {
            return Ok(None);
        };
        let Some(row) = store::passkey_by_credential(&self.db, &credential_key(result.cred_id()))
            .await?
            .filter(|row| row.user_id == user_id)
        else {
            return Ok(None);
        };
        let mut passkey: Passkey = from_stored(&row.passkey)?;
        passkey.update_credential(&result);
        Ok(Some(SpentFactor::Passkey {
            id: row.id,
            stored: to_stored(&passkey)?,
        }))
    }

    async fn start_ceremony(
        &self,
        purpose: CeremonyPurpose,
        user_id: Option<Uuid>,
        state: &str,
    ) -> Result<String, AppError> {
        let token = LinkToken::generate().map_err(AppError::internal)?;
        let lifetime = chrono::Duration::from_std(CEREMONY_LIFETIME).map_err(AppError::internal)?;
        store::create_ceremony(
            &self.db,
            &token.hash(),
            purpose,
            user_id,
            state,
            now() + lifetime,
        )
        .await?;
        Ok(token.as_str().to_owned())
    }

    async fn take_ceremony<T: serde::de::DeserializeOwned>(
        &self,
        ceremony: &str,
        purpose: CeremonyPurpose,
        user_id: Option<Uuid>,
    ) -> Result<T, AppError> {
        let expired = || {
            AppError::Invalid(
                "This passkey request expired or was used already (each lasts 5 minutes): \
                 start again."
                    .into(),
            )
            .in_field("ceremony")
        };
        let token = LinkToken::parse(ceremony).ok_or_else(expired)?;
        let state = store::take_ceremony(&self.db, &token.hash(), purpose, user_id)
            .await?
            .ok_or_else(expired)?;
        from_stored(&state)
    }
}

/// A credential id as stored and looked up: base64url without padding.
fn credential_key(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

fn too_many() -> AppError {
    AppError::Conflict(format!(
        "An account can have at most {MAX_PASSKEYS_PER_ACCOUNT} passkeys: delete one first."
    ))
}

// The second step's passkey shares the step's lifetime.
const _: () = assert!(CHALLENGE_LIFETIME.as_secs() == CEREMONY_LIFETIME.as_secs());
