//! The security log: an append-only record of what happened to accounts
//! and sessions, and who did it. Events that come with a change are written
//! in the same transaction as the change (see `store`); none holds a
//! password or a token.

use serde::{Deserialize, Serialize};

/// What happened. The names are stable: they are stored, and they are the
/// filter values of the administrators' log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    SignUp,
    SignIn,
    SignInFailed,
    Lockout,
    SignOut,
    SignOutEverywhere,
    SessionEnded,
    PasswordChanged,
    AccountDeleted,
    AccountDisabled,
    AccountEnabled,
    SessionsEndedByAdmin,
    AccountDeletedByAdmin,
    AdminGranted,
    AdminRevoked,
    SignupPolicyChanged,
    InvitationCreated,
    InvitationRevoked,
    PasswordResetRequested,
    PasswordReset,
    ResetLinkMade,
    EmailVerified,
    EmailChangeRequested,
    EmailChangeCancelled,
    EmailChanged,
    ApiTokenCreated,
    ApiTokenDeleted,
    SecondFactorAsked,
    SecondFactorFailed,
    TotpEnabled,
    TotpDisabled,
    RecoveryCodesRenewed,
    SecondFactorRemovedByAdmin,
    PasskeyAdded,
    PasskeyDeleted,
    CalendarFeedMade,
    CalendarFeedTurnedOff,
}

impl EventKind {
    pub const ALL: [EventKind; 37] = [
        EventKind::SignUp,
        EventKind::SignIn,
        EventKind::SignInFailed,
        EventKind::Lockout,
        EventKind::SignOut,
        EventKind::SignOutEverywhere,
        EventKind::SessionEnded,
        EventKind::PasswordChanged,
        EventKind::AccountDeleted,
        EventKind::AccountDisabled,
        EventKind::AccountEnabled,
        EventKind::SessionsEndedByAdmin,
        EventKind::AccountDeletedByAdmin,
        EventKind::AdminGranted,
        EventKind::AdminRevoked,
        EventKind::SignupPolicyChanged,
        EventKind::InvitationCreated,
        EventKind::InvitationRevoked,
        EventKind::PasswordResetRequested,
        EventKind::PasswordReset,
        EventKind::ResetLinkMade,
        EventKind::EmailVerified,
        EventKind::EmailChangeRequested,
        EventKind::EmailChangeCancelled,
        EventKind::EmailChanged,
        EventKind::ApiTokenCreated,
        EventKind::ApiTokenDeleted,
        EventKind::SecondFactorAsked,
        EventKind::SecondFactorFailed,
        EventKind::TotpEnabled,
        EventKind::TotpDisabled,
        EventKind::RecoveryCodesRenewed,
        EventKind::SecondFactorRemovedByAdmin,
        EventKind::PasskeyAdded,
        EventKind::PasskeyDeleted,
        EventKind::CalendarFeedMade,
        EventKind::CalendarFeedTurnedOff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignUp => "sign_up",
            EventKind::SignIn => "sign_in",
            EventKind::SignInFailed => "sign_in_failed",
            EventKind::Lockout => "lockout",
            EventKind::SignOut => "sign_out",
            EventKind::SignOutEverywhere => "sign_out_everywhere",
            EventKind::SessionEnded => "session_ended",
            EventKind::PasswordChanged => "password_changed",
            EventKind::AccountDeleted => "account_deleted",
            EventKind::AccountDisabled => "account_disabled",
            EventKind::AccountEnabled => "account_enabled",
            EventKind::SessionsEndedByAdmin => "sessions_ended_by_admin",
            EventKind::AccountDeletedByAdmin => "account_deleted_by_admin",
            EventKind::AdminGranted => "admin_granted",
            EventKind::AdminRevoked => "admin_revoked",
            EventKind::SignupPolicyChanged => "signup_policy_changed",
            EventKind::InvitationCreated => "invitation_created",
            EventKind::InvitationRevoked => "invitation_revoked",
            EventKind::PasswordResetRequested => "password_reset_requested",
            EventKind::PasswordReset => "password_reset",
            EventKind::ResetLinkMade => "reset_link_made",
            EventKind::EmailVerified => "email_verified",
            EventKind::EmailChangeRequested => "email_change_requested",
            EventKind::EmailChangeCancelled => "email_change_cancelled",
            EventKind::EmailChanged => "email_changed",
            EventKind::ApiTokenCreated => "api_token_created",
            EventKind::ApiTokenDeleted => "api_token_deleted",
            EventKind::SecondFactorAsked => "second_factor_asked",
            EventKind::SecondFactorFailed => "second_factor_failed",
            EventKind::TotpEnabled => "totp_enabled",
            EventKind::TotpDisabled => "totp_disabled",
            EventKind::RecoveryCodesRenewed => "recovery_codes_renewed",
            EventKind::SecondFactorRemovedByAdmin => "second_factor_removed_by_admin",
            EventKind::PasskeyAdded => "passkey_added",
            EventKind::PasskeyDeleted => "passkey_deleted",
            EventKind::CalendarFeedMade => "calendar_feed_made",
            EventKind::CalendarFeedTurnedOff => "calendar_feed_turned_off",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// In words, for the pages.
    pub fn describe(self) -> &'static str {
        match self {
            EventKind::SignUp => "Account created",
            EventKind::SignIn => "Signed in",
            EventKind::SignInFailed => "Failed sign-in",
            EventKind::Lockout => "Locked after failed sign-ins",
            EventKind::SignOut => "Signed out",
            EventKind::SignOutEverywhere => "Signed out everywhere",
            EventKind::SessionEnded => "A session was ended",
            EventKind::PasswordChanged => "Password changed",
            EventKind::AccountDeleted => "Account deleted",
            EventKind::AccountDisabled => "Account disabled by an administrator",
            EventKind::AccountEnabled => "Account enabled by an administrator",
            EventKind::SessionsEndedByAdmin => "Sessions ended by an administrator",
            EventKind::AccountDeletedByAdmin => "Account deleted by an administrator",
            EventKind::AdminGranted => "Made an administrator",
            EventKind::AdminRevoked => "No longer an administrator",
            EventKind::SignupPolicyChanged => "Sign-up policy changed",
            EventKind::InvitationCreated => "Invitation made",
            EventKind::InvitationRevoked => "Invitation revoked",
            EventKind::PasswordResetRequested => "Password reset link mailed",
            EventKind::PasswordReset => "Password set with a reset link",
            EventKind::ResetLinkMade => "Reset link made by an administrator",
            EventKind::EmailVerified => "Email address confirmed",
            EventKind::EmailChangeRequested => "New email address asked for",
            EventKind::EmailChangeCancelled => "Email address change cancelled",
            EventKind::EmailChanged => "Email address changed",
            EventKind::ApiTokenCreated => "API token made",
            EventKind::ApiTokenDeleted => "API token deleted",
            EventKind::SecondFactorAsked => "Password right; second step asked for",
            EventKind::SecondFactorFailed => "Wrong or reused sign-in code",
            EventKind::TotpEnabled => "Two-step sign-in turned on",
            EventKind::TotpDisabled => "Two-step sign-in turned off",
            EventKind::RecoveryCodesRenewed => "New recovery codes made",
            EventKind::SecondFactorRemovedByAdmin => "Two-step sign-in removed by an administrator",
            EventKind::PasskeyAdded => "Passkey added",
            EventKind::PasskeyDeleted => "Passkey deleted",
            EventKind::CalendarFeedMade => "Calendar feed address made",
            EventKind::CalendarFeedTurnedOff => "Calendar feed turned off",
        }
    }
}

/// Why a sign-in failed, as the log records it (never shown to the person
/// signing in, who gets one answer for all but the last).
pub mod failure {
    pub const WRONG_PASSWORD: &str = "wrong password";
    pub const UNKNOWN_ACCOUNT: &str = "unknown account";
    pub const LOCKED: &str = "locked";
    pub const DISABLED: &str = "disabled";
    pub const WRONG_CODE: &str = "wrong code";
    pub const REUSED_CODE: &str = "code already used";
}

/// One event as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedEvent {
    pub id: String,
    /// RFC 3339.
    pub occurred_at: String,
    pub kind: EventKind,
    pub email: Option<String>,
    /// The administrator who acted, for their actions.
    pub actor_email: Option<String>,
    pub client_address: String,
    pub device: String,
    pub detail: String,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use uuid::Uuid;

    use super::EventKind;
    use crate::client::Client;

    /// An event about to be written.
    #[derive(Debug, Clone)]
    pub struct Event<'a> {
        pub kind: EventKind,
        pub user_id: Option<Uuid>,
        pub email: Option<&'a str>,
        /// The administrator acting, for their actions.
        pub actor_id: Option<Uuid>,
        pub client: &'a Client,
        pub session_id: Option<Uuid>,
        pub detail: &'a str,
    }

    impl<'a> Event<'a> {
        /// `kind` happened to the account `user_id` (`email`), as `client` asked.
        pub fn new(kind: EventKind, client: &'a Client) -> Self {
            Self {
                kind,
                user_id: None,
                email: None,
                actor_id: None,
                client,
                session_id: None,
                detail: "",
            }
        }

        pub fn user(mut self, user_id: Uuid, email: &'a str) -> Self {
            self.user_id = Some(user_id);
            self.email = Some(email);
            self
        }

        pub fn email(mut self, email: &'a str) -> Self {
            self.email = Some(email);
            self
        }

        pub fn actor(mut self, actor_id: Uuid) -> Self {
            self.actor_id = Some(actor_id);
            self
        }

        pub fn session(mut self, session_id: Uuid) -> Self {
            self.session_id = Some(session_id);
            self
        }

        pub fn detail(mut self, detail: &'a str) -> Self {
            self.detail = detail;
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_stored_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.describe().is_empty());
        }
        assert_eq!(EventKind::parse("made_up"), None);
    }
}
