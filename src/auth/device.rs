//! Device tokens (OWASP's "device cookies"): proof that a browser or client
//! has signed in to an account before. A signed JWT of its own audience, so
//! it can never pass for a session token or the other way round; it grants
//! nothing but a password-check budget of its own (see `attempts`), and
//! only while the account still trusts the device it names (the
//! `trusted_devices` table, kept by `store`).

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    email::Email,
    token::{ISSUER, LEEWAY_SECS, MAX_TOKEN_BYTES},
};
use crate::{db::now, error::AppError};

const DEVICE_AUDIENCE: &str = "taskward-device";

/// How long a device stays trusted after its last sign-in.
pub const DEVICE_TOKEN_LIFETIME: Duration = Duration::from_secs(180 * 24 * 60 * 60);

/// How many devices an account trusts at once; signing in on one more
/// forgets the least recently used. Each has its own guess budget, so this
/// bounds how many budgets tokens minted by anyone who once had the
/// password can add up to.
pub const MAX_TRUSTED_DEVICES: i64 = 10;

#[derive(Debug, Serialize, Deserialize)]
struct DeviceClaims {
    /// The account's email, as parsed: a device is trusted for one account.
    sub: String,
    /// The device's id: its budget's key.
    did: Uuid,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

/// A device that signed in to the account it now checks a password for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedDevice(Uuid);

impl TrustedDevice {
    pub fn id(&self) -> Uuid {
        self.0
    }

    /// The device a sign-in's first step proved (and the account still
    /// trusts), for its second step.
    pub(super) fn known(id: Uuid) -> Self {
        Self(id)
    }
}

/// Keys built once at start, from the session signing secrets.
pub struct DeviceTokens {
    encoding: EncodingKey,
    decoding: Vec<DecodingKey>,
    validation: Validation,
}

impl DeviceTokens {
    pub fn new(current: &SecretString, previous: Option<&SecretString>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[DEVICE_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let key =
            |secret: &SecretString| DecodingKey::from_secret(secret.expose_secret().as_bytes());
        Self {
            encoding: EncodingKey::from_secret(current.expose_secret().as_bytes()),
            decoding: std::iter::once(current).chain(previous).map(key).collect(),
            validation,
        }
    }

    /// A token for the device `device` that just signed in to `email`'s
    /// account.
    pub fn issue(&self, email: &Email, device: Uuid) -> Result<String, AppError> {
        let issued_at = u64::try_from(now().timestamp()).unwrap_or_default();
        let claims = DeviceClaims {
            sub: email.as_str().to_owned(),
            did: device,
            iat: issued_at,
            exp: issued_at + DEVICE_TOKEN_LIFETIME.as_secs(),
            iss: ISSUER.into(),
            aud: DEVICE_AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)
    }

    /// The device `token` names, if it is genuine, unexpired and issued for
    /// `email`'s account. Whether the account still trusts that device is
    /// the database's to say (`store::is_trusted_device`).
    pub fn verify(&self, token: &str, email: &Email) -> Option<TrustedDevice> {
        if token.len() > MAX_TOKEN_BYTES {
            return None;
        }
        self.decoding.iter().find_map(|key| {
            jsonwebtoken::decode::<DeviceClaims>(token, key, &self.validation)
                .ok()
                .filter(|data| data.claims.sub == email.as_str())
                .map(|data| TrustedDevice(data.claims.did))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> DeviceTokens {
        DeviceTokens::new(
            &SecretString::from("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"),
            None,
        )
    }

    #[test]
    fn a_device_token_is_trusted_for_its_own_account_only() {
        let ada = Email::parse("ada@example.com").unwrap();
        let bob = Email::parse("bob@example.com").unwrap();
        let token = tokens().issue(&ada, Uuid::new_v4()).unwrap();
        assert!(tokens().verify(&token, &ada).is_some());
        assert!(tokens().verify(&token, &bob).is_none());
        let other_key = DeviceTokens::new(
            &SecretString::from("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"),
            None,
        );
        assert!(other_key.verify(&token, &ada).is_none());
        assert!(tokens().verify("not a token", &ada).is_none());
    }

    #[test]
    fn a_device_token_names_the_device_it_was_issued_for() {
        let ada = Email::parse("ada@example.com").unwrap();
        let device = Uuid::new_v4();
        let token = tokens().issue(&ada, device).unwrap();
        assert_eq!(tokens().verify(&token, &ada), Some(TrustedDevice(device)));
    }
}
