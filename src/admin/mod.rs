//! Administration: the users of the service and the security log, for
//! accounts with the `admin` role. Every server function re-checks the role
//! from the database ([`crate::actions::admin`]); the rules that keep the service
//! administrable (the last administrator stays one; nobody disables or
//! deletes themselves) are enforced in the same transaction as each change
//! ([`store`]). Administrators see counts of a user's todos, never the todos.

use serde::{Deserialize, Serialize};

use crate::auth::{Role, security_log::LoggedEvent};

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
    pub role: Role,
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
    pub active_sessions: i64,
    pub todos: i64,
    /// `None` while the account is active.
    pub disabled: Option<Disabled>,
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
