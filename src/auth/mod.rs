//! Accounts and sessions.
//!
//! [`service::AuthService`] holds every account rule (sign-up, sign-in,
//! sessions, password changes); the web forms ([`server_fns`]) and the JSON
//! API call it and re-implement none of it. Sessions are JWTs ([`token`])
//! that travel in a hardened cookie or a bearer header ([`credentials`]).

use serde::{Deserialize, Serialize};

pub mod email;
pub mod password;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod attempts;
#[cfg(feature = "ssr")]
pub mod credentials;
#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod token;

/// The signed-in user, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
}
