//! Two-step sign-in: after the right password, an account with a second
//! factor gets a short-lived sign-in step ([`challenge`]), not a session,
//! and finishes it with a code from its authenticator app ([`totp`],
//! RFC 6238) or one of its single-use recovery codes ([`recovery_codes`]).
//! Wrong codes spend the same budgets as wrong passwords. The instance's
//! [`SecondFactorPolicy`] may require a second factor of administrators
//! or of everyone: such an account without one can only set one up.
//!
//! The rules live in [`service`], the tables (`totp_authenticators`,
//! `recovery_codes`, `second_factor_challenges`) in [`store`], which alone
//! touches them.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod challenge;
pub mod code;
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
