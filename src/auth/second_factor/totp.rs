//! The authenticator's shared key and its codes (RFC 6238, the defaults
//! every app reads: HMAC-SHA-1, 6 digits, 30-second steps), through the
//! `totp-rs` crate. A code is accepted for the step before and after the
//! current one (a clock a little off, a code typed as it changed); which
//! step matched is returned so the caller can refuse it a second time.

use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::error::AppError;

/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// The name apps show above the code.
pub const ISSUER: &str = "Taskward";

/// The key an authenticator app shares with the server.
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    /// Never printed: with it anyone can make codes.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    pub fn generate() -> Result<Self, AppError> {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(AppError::internal)?;
        Ok(Self(bytes))
    }

    /// The key as stored (base32); `None` if the text is not one.
    pub fn from_base32(text: &str) -> Option<Self> {
        let bytes = Secret::try_from_base32(text).ok()?.as_ref().to_vec();
        (bytes.len() >= 16).then_some(Self(bytes))
    }

    /// The key in base32 (RFC 4648, no padding), as apps take it typed.
    pub fn to_base32(&self) -> String {
        Secret::from(self.0.clone()).to_base32()
    }

    fn totp(&self, account: &str) -> Result<Totp, AppError> {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(STEP_SECONDS)
            .with_secret(self.0.clone())
            .with_issuer(Some(ISSUER))
            // The otpauth label separates issuer and account with a colon.
            .with_account_name(account.replace(':', "_"))
            .build()
            .map_err(|error| AppError::internal(format!("TOTP settings refused: {error:?}")))
    }

    /// The `otpauth://totp/...` address an app reads (from the QR code).
    pub fn otpauth_uri(&self, email: &str) -> Result<String, AppError> {
        self.totp(email)?
            .to_url()
            .map_err(|error| AppError::internal(format!("otpauth address: {error:?}")))
    }

    /// The step whose code `digits` is, at `unix_seconds` (give or take
    /// one step); `None` for a wrong code.
    pub fn matching_step(&self, digits: &str, unix_seconds: u64) -> Option<u64> {
        self.totp("").ok()?.check(digits, unix_seconds)
    }
}

/// Seconds a code is shown for.
pub const STEP_SECONDS: u64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the key is the ASCII "12345678901234567890".
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_the_rfc_test_vectors_and_name_their_step() {
        let secret = TotpSecret(RFC_KEY.to_vec());
        // The RFC's 8-digit values, cut to their last 6 digits.
        for (time, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.matching_step(code, time), Some(time / 30), "{time}");
        }
    }

    #[test]
    fn a_code_works_one_step_either_side_and_not_two() {
        let secret = TotpSecret(RFC_KEY.to_vec());
        let at = 1_111_111_109;
        assert_eq!(secret.matching_step("081804", at + 30), Some(at / 30));
        assert_eq!(secret.matching_step("081804", at - 30), Some(at / 30));
        assert_eq!(secret.matching_step("081804", at + 60), None);
        assert_eq!(secret.matching_step("000000", at), None);
    }

    #[test]
    fn the_key_round_trips_through_base32_and_the_address_names_the_account() {
        let secret = TotpSecret::generate().unwrap();
        let text = secret.to_base32();
        assert_eq!(TotpSecret::from_base32(&text).unwrap().0, secret.0);
        assert!(TotpSecret::from_base32("not base32!").is_none());
        let uri = secret.otpauth_uri("ada@example.com").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Taskward:ada%40example.com?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={text}")), "{uri}");
        assert!(uri.contains("issuer=Taskward"), "{uri}");
    }
}
