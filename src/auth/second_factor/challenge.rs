//! The sign-in step between a right password and a session: a random token
//! (the same kind as a link's, [`LinkToken`]) that a browser keeps in a
//! hardened cookie and an API client gets in its answer. It works once,
//! for five minutes, and for at most five wrong codes; the database keeps
//! only its hash.

use std::time::Duration;

use crate::signup::LinkToken;

/// How long the second step may take.
pub const CHALLENGE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Wrong codes one sign-in step takes before the password is asked again
/// (the account's budget bounds the guesses across steps).
pub const MAX_FAILED_CODES: i32 = 5;

/// A sign-in waiting for its second factor.
pub struct PendingSignIn {
    pub challenge: LinkToken,
    pub expires_in: Duration,
    /// The ways to finish it: `totp` and `recovery_code`.
    pub methods: Vec<&'static str>,
}
