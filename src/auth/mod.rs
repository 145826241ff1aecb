//! Accounts and sessions.
//!
//! [`service::AuthService`] holds every account rule (sign-up, sign-in,
//! sessions, password changes); the web forms ([`crate::actions::auth`]) and the JSON
//! API call it and re-implement none of it. Sessions are JWTs ([`token`])
//! that travel in a hardened cookie or a bearer header ([`credentials`]).

use serde::{Deserialize, Serialize};

pub mod email;
pub mod password;
pub mod second_factor;
pub mod security_log;

#[cfg(feature = "ssr")]
pub mod api_tokens;
#[cfg(feature = "ssr")]
pub mod attempts;
#[cfg(feature = "ssr")]
pub mod calendar_feed;
#[cfg(feature = "ssr")]
pub mod credentials;
#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
pub mod recovery;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod token;
#[cfg(feature = "ssr")]
pub mod verification;

/// The signed-in user, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// The IANA zone the user's days are counted in, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Whether the address was confirmed by following a mailed link.
    pub email_verified: bool,
    /// The instance requires a second factor of this account and it has
    /// none yet: its pages lead to setting one up.
    pub second_factor_missing: bool,
}

/// The account's address, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailState {
    pub email: String,
    pub verified: bool,
    /// The instance wants it confirmed before todos are used.
    pub required: bool,
    /// The address the account moves to once its link is followed.
    pub pending_change: Option<String>,
    /// Whether this instance sends mail (else no link can be sent).
    pub mail_on: bool,
}

/// What an account may do. Stored with the account and read from the
/// database on every request, never from the token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    User,
    /// Runs the service: the administration console.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }

    /// A stored role; anything unknown grants nothing.
    pub fn from_stored(text: &str) -> Self {
        if text == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }
}
