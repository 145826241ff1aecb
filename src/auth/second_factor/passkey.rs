//! Passkeys (WebAuthn): this instance as a relying party, and the limits on
//! what a browser sends. The checks themselves (challenge, origin,
//! signature, user verification) are webauthn-rs's; a passkey always
//! requires user verification (a PIN or biometric on the device), so it is
//! two factors in one and signs in without a password.
//!
//! The relying party id is the host of `PUBLIC_ORIGIN`. Browsers refuse
//! WebAuthn on an address that is an IP (`127.0.0.1`), so an instance
//! reached that way has no passkeys ([`RelyingParty::new`] gives `None`).

use std::time::Duration;

use serde::de::DeserializeOwned;
use webauthn_rs::{
    Webauthn, WebauthnBuilder,
    prelude::{CreationChallengeResponse, RequestChallengeResponse},
};

use crate::error::AppError;

/// How long a ceremony (options sent, answer awaited) may take.
pub const CEREMONY_LIFETIME: Duration = Duration::from_secs(5 * 60);
pub use super::{MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS_PER_ACCOUNT};

/// This instance as a WebAuthn relying party.
pub struct RelyingParty {
    webauthn: Webauthn,
}

impl RelyingParty {
    /// The relying party for `public_origin`, or `None` when its host is
    /// not a domain name (browsers refuse passkeys on an IP address).
    pub fn new(public_origin: &str) -> Option<Self> {
        if !super::passkeys_possible(public_origin) {
            return None;
        }
        let origin = url::Url::parse(public_origin).ok()?;
        let rp_id = origin.domain()?.to_owned();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .ok()?
            .rp_name("Taskward")
            .timeout(CEREMONY_LIFETIME)
            .build()
            .ok()?;
        Some(Self { webauthn })
    }

    pub fn webauthn(&self) -> &Webauthn {
        &self.webauthn
    }
}

/// Registration options as sent: a discoverable credential is asked for
/// where the device can keep one, so the passkey can later sign in
/// without an email address typed first.
pub fn prefer_discoverable(
    options: CreationChallengeResponse,
) -> Result<serde_json::Value, AppError> {
    let mut options = serde_json::to_value(options).map_err(AppError::internal)?;
    if let Some(selection) = options
        .pointer_mut("/publicKey/authenticatorSelection")
        .and_then(serde_json::Value::as_object_mut)
    {
        selection.insert("residentKey".into(), "preferred".into());
    }
    Ok(options)
}

/// Sign-in options as sent: the browser asks when the person presses the
/// button, not as the page loads (webauthn-rs sets conditional mediation,
/// which is for autofill).
pub fn on_request(mut options: RequestChallengeResponse) -> RequestChallengeResponse {
    options.mediation = None;
    options
}

/// A passkey's name as typed: trimmed, 1 to [`MAX_PASSKEY_NAME_CHARS`]
/// characters, no control characters.
pub fn parse_name(text: &str) -> Result<String, AppError> {
    let name = text.trim();
    let refused = |message: &str| Err(AppError::Invalid(message.into()).in_field("name"));
    if name.is_empty() {
        return refused("Give the passkey a name, such as the device it is on.");
    }
    if name.chars().count() > MAX_PASSKEY_NAME_CHARS {
        return refused("Use at most 60 characters for the name.");
    }
    if name.chars().any(char::is_control) {
        return refused("The name cannot contain control characters.");
    }
    Ok(name.to_owned())
}

/// The browser's answer (`PublicKeyCredential.toJSON()`), read as `T`; a
/// clear 422 for anything else.
pub fn read_credential<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_json::from_value(value).map_err(|_| {
        AppError::Invalid(
            "That is not a passkey's answer: send the browser's PublicKeyCredential as JSON \
             (its toJSON())."
                .into(),
        )
        .in_field("credential")
    })
}

/// Ceremony state or a stored passkey, as kept in the database.
pub fn to_stored<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// The inverse of [`to_stored`].
pub fn from_stored<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_origin_has_no_passkeys_and_a_domain_has() {
        for (origin, possible) in [
            ("http://127.0.0.1:3000", false),
            ("http://[::1]:3000", false),
            ("https://10.0.0.7", false),
            ("http://localhost:3000", true),
            ("http://localhost", true),
            ("https://todo.example.com", true),
        ] {
            assert_eq!(
                super::super::passkeys_possible(origin),
                possible,
                "{origin}"
            );
            assert_eq!(RelyingParty::new(origin).is_some(), possible, "{origin}");
        }
    }

    #[test]
    fn names_are_bounded() {
        assert_eq!(parse_name("  Laptop  ").unwrap(), "Laptop");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"x".repeat(61)).is_err());
        assert!(parse_name(&"é".repeat(60)).is_ok());
        assert!(parse_name("a\u{7}b").is_err());
    }

    #[test]
    fn anything_but_a_credential_is_a_clear_422() {
        let refused = read_credential::<webauthn_rs::prelude::PublicKeyCredential>(
            serde_json::json!({"id": 5}),
        )
        .unwrap_err();
        assert_eq!(refused.status_code(), 422);
        assert_eq!(refused.field(), Some("credential"));
    }
}
