//! Two-step sign-in: after the right password, an account with a second
//! factor gets a short-lived sign-in step ([`challenge`]), not a session,
//! and finishes it with a code from its authenticator app ([`totp`],
//! RFC 6238), one of its single-use recovery codes ([`recovery_codes`]),
//! or one of its passkeys ([`passkey`], WebAuthn), which also sign in on
//! their own, without a password ([`passkey_service`]).
//! Wrong codes spend the same budgets as wrong passwords. The instance's
//! [`SecondFactorPolicy`] may require a second factor of administrators
//! or of everyone: such an account without one can only set one up.
//!
//! The rules live in [`service`] and [`passkey_service`], the tables
//! (`totp_authenticators`, `recovery_codes`, `second_factor_challenges`,
//! `passkeys`, `passkey_ceremonies`) in [`store`], which alone touches
//! them.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod challenge;
pub mod code;
#[cfg(feature = "ssr")]
pub mod passkey;
#[cfg(feature = "ssr")]
pub mod passkey_service;
#[cfg(feature = "ssr")]
pub mod qr;
#[cfg(feature = "ssr")]
pub mod recovery_codes;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod totp;

/// Whose accounts must have a second factor: an instance setting, kept
/// with the sign-up policy (`crate::signup`).
pub use crate::signup::SecondFactorPolicy;

/// How many recovery codes an account gets at a time.
pub const RECOVERY_CODES_PER_ACCOUNT: usize = 10;
/// Passkeys one account may have.
pub const MAX_PASSKEYS_PER_ACCOUNT: usize = 10;
/// A passkey's name, in characters.
pub const MAX_PASSKEY_NAME_CHARS: usize = 60;

/// Whether browsers allow passkeys for an instance at `origin`: its host
/// must be a domain name (`localhost` is one), not an IP address.
pub fn passkeys_possible(origin: &str) -> bool {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.starts_with('[') {
        return false;
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    !host.is_empty() && host.parse::<std::net::Ipv4Addr>().is_err()
}

/// The account's two-step sign-in, as its security page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TotpState {
    Off,
    /// Being set up: the key to add to an app, and its QR code (SVG).
    SettingUp {
        secret: String,
        otpauth_uri: String,
        qr_svg: String,
    },
    On {
        recovery_codes_left: u32,
    },
}

/// Everything the security page says about second factors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorOverview {
    pub totp: TotpState,
    /// The instance requires a second factor of this account.
    pub required: bool,
    /// Recovery codes just made, shown this once.
    pub new_recovery_codes: Option<Vec<String>>,
}
