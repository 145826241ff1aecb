//! Administration: the users of the service and the security log, for
//! accounts with the `admin` role. Every server function re-checks the role
//! from the database ([`crate::actions::admin`]); the rules that keep the service
//! administrable (the last administrator stays one; nobody disables or
//! deletes themselves) are enforced in the same transaction as each change
//! ([`store`]). Administrators see counts of a user's todos, never the todos.

use serde::{Deserialize, Serialize};

use crate::{
    auth::{Role, security_log::LoggedEvent},
    signup::SignupMode,
};

#[cfg(feature = "ssr")]
pub mod console;
#[cfg(feature = "ssr")]
pub mod store;

/// Users per page of the console.
pub const USERS_PER_PAGE: usize = 50;
/// Security events per page of the console.
pub const EVENTS_PER_PAGE: usize = 50;

/// One account, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserOverview {
    pub id: String,
    pub email: String,
    /// When the address was confirmed, if it was.
    pub email_verified_at: Option<String>,
    pub role: Role,
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
    pub active_sessions: i64,
    pub todos: i64,
    /// `None` while the account is active.
    pub disabled: Option<Disabled>,
    /// Signs in with two-step sign-in.
    pub second_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disabled {
    pub reason: String,
    /// The date it ends, if it does.
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserOverview>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<LoggedEvent>,
    pub next_cursor: Option<String>,
}

/// Invitations per page of the console (and the API's default).
pub const INVITATIONS_PER_PAGE: usize = 50;

/// The sign-up policy, as the console and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupSettings {
    pub mode: SignupMode,
    /// Lower case; empty: any domain.
    pub email_domains: Vec<String>,
    /// Todos and lists wait until an account's address is confirmed.
    pub require_verified_email: bool,
    /// Whose accounts must have a second factor.
    pub require_second_factor: crate::auth::second_factor::SecondFactorPolicy,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Usable,
    UsedUp,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn describe(self) -> &'static str {
        match self {
            InvitationStatus::Usable => "Usable",
            InvitationStatus::UsedUp => "Used up",
            InvitationStatus::Expired => "Expired",
            InvitationStatus::Revoked => "Revoked",
        }
    }
}

/// One invitation, as the console lists it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationOverview {
    pub id: String,
    /// The only address that may use it, if bound.
    pub email: Option<String>,
    pub makes_admin: bool,
    pub uses: i64,
    pub uses_left: i64,
    /// RFC 3339.
    pub expires_at: String,
    pub created_at: String,
    /// Its maker's address; `None` when made on the command line (or the
    /// maker's account is gone).
    pub created_by: Option<String>,
    pub status: InvitationStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPage {
    pub invitations: Vec<InvitationOverview>,
    pub next_cursor: Option<String>,
}

/// One account's page in the console: its facts, live sessions and
/// recent security events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserOverview,
    pub sessions: Vec<UserSession>,
    pub events: Vec<LoggedEvent>,
}

/// One live session of an account, as its console page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSession {
    pub device: String,
    pub client_address: String,
    pub started_at: String,
    pub last_used_at: String,
}

/// Events on an account's console page.
pub const USER_EVENTS_SHOWN: usize = 20;

/// A reset link an administrator made: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MadeResetLink {
    pub url: String,
    pub expires_at: String,
}

/// A new invitation: its link, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvitation {
    pub id: String,
    pub url: String,
}
