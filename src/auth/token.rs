//! Session tokens: JWTs signed with HS256 (RFC 7519, following the RFC 8725
//! best practices: one allowed algorithm, issuer and audience checked,
//! every claim required, bounded leeway and size).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use secrecy::{ExposeSecret, SecretString};

pub const ISSUER: &str = "taskward";
pub const AUDIENCE: &str = "taskward";
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;
/// Our tokens are about 400 bytes; anything far larger is refused unread.
pub const MAX_TOKEN_BYTES: usize = 2048;

/// What a Taskward token says. Every field is required: a token missing
/// any of them does not deserialize and is refused.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    pub email: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
    /// This token's own id.
    pub jti: Uuid,
    /// The session (one sign-in) the token belongs to; revoking it revokes
    /// every token issued for it.
    pub sid: Uuid,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Well-formed and correctly signed, but past `exp`.
    Expired,
    /// Anything else: forged, damaged, wrong algorithm, issuer, audience...
    Invalid,
}

/// A token that passed every check.
#[derive(Debug)]
pub struct VerifiedToken {
    pub claims: Claims,
    /// Signed with `JWT_SECRET_PREVIOUS`: re-sign it with the current key.
    pub signed_with_previous_key: bool,
}

/// Keys built once at start.
pub struct TokenKeys {
    encoding: EncodingKey,
    current: DecodingKey,
    previous: Option<DecodingKey>,
    validation: Validation,
    /// The same checks but `exp`, for ending the session a token names.
    validation_ignoring_expiry: Validation,
}

impl TokenKeys {
    pub fn new(current: &SecretString, previous: Option<&SecretString>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        let mut validation_ignoring_expiry = validation.clone();
        validation_ignoring_expiry.validate_exp = false;
        validation_ignoring_expiry.set_required_spec_claims(&["nbf", "iat", "iss", "aud", "sub"]);
        Self {
            validation_ignoring_expiry,
            encoding: EncodingKey::from_secret(current.expose_secret().as_bytes()),
            current: DecodingKey::from_secret(current.expose_secret().as_bytes()),
            previous: previous
                .map(|secret| DecodingKey::from_secret(secret.expose_secret().as_bytes())),
            validation,
        }
    }

    pub fn issue(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.verify_with(token, &self.validation)
    }

    /// Checks everything [`TokenKeys::verify`] does except expiry: signing
    /// out must end the session of a token that expired in an idle tab,
    /// or a copy someone keeps refreshing would outlive the sign-out.
    pub fn verify_ignoring_expiry(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.verify_with(token, &self.validation_ignoring_expiry)
    }

    fn verify_with(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<VerifiedToken, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Invalid);
        }
        match Self::decode(token, &self.current, validation) {
            Ok(claims) => Ok(VerifiedToken {
                claims,
                signed_with_previous_key: false,
            }),
            Err(TokenError::Invalid) if self.previous.is_some() => {
                let previous = self.previous.as_ref().expect("checked above");
                Self::decode(token, previous, validation).map(|claims| VerifiedToken {
                    claims,
                    signed_with_previous_key: true,
                })
            }
            Err(error) => Err(error),
        }
    }

    fn decode(
        token: &str,
        key: &DecodingKey,
        validation: &Validation,
    ) -> Result<Claims, TokenError> {
        jsonwebtoken::decode::<Claims>(token, key, validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    const OTHER: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn claims() -> Claims {
        let now = now();
        Claims {
            sub: Uuid::new_v4(),
            email: "ada@example.com".into(),
            iat: now,
            nbf: now,
            exp: now + 3600,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: Uuid::new_v4(),
            sid: Uuid::new_v4(),
        }
    }

    #[test]
    fn a_token_round_trips() {
        let keys = TokenKeys::new(&SecretString::from(SECRET), None);
        let claims = claims();
        let verified = keys.verify(&keys.issue(&claims).unwrap()).unwrap();
        assert_eq!(verified.claims, claims);
        assert!(!verified.signed_with_previous_key);
    }

    #[test]
    fn a_token_signed_with_the_previous_key_verifies_and_is_flagged() {
        let old = TokenKeys::new(&SecretString::from(OTHER), None);
        let token = old.issue(&claims()).unwrap();
        let rotated = TokenKeys::new(
            &SecretString::from(SECRET),
            Some(&SecretString::from(OTHER)),
        );
        assert!(rotated.verify(&token).unwrap().signed_with_previous_key);
        let forgotten = TokenKeys::new(&SecretString::from(SECRET), None);
        assert_eq!(forgotten.verify(&token).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn expiry_is_reported_apart_from_forgery_and_leeway_is_30_seconds() {
        let keys = TokenKeys::new(&SecretString::from(SECRET), None);
        let mut claims = claims();
        claims.exp = now() - 10;
        assert!(
            keys.verify(&keys.issue(&claims).unwrap()).is_ok(),
            "within leeway"
        );
        claims.exp = now() - 31;
        assert_eq!(
            keys.verify(&keys.issue(&claims).unwrap()).unwrap_err(),
            TokenError::Expired
        );
    }

    #[test]
    fn oversized_tokens_are_refused_unread() {
        let keys = TokenKeys::new(&SecretString::from(SECRET), None);
        assert_eq!(
            keys.verify(&"a".repeat(MAX_TOKEN_BYTES + 1)).unwrap_err(),
            TokenError::Invalid
        );
    }
}
