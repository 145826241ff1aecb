//! Outbound mail, as a durable component: a mail is written to the outbox
//! ([`store`], the owner of `mail_outbox`) in the same transaction as the
//! change that causes it, and the [`worker`] every instance runs delivers
//! it through the configured relay ([`transport`]). What a mail says is
//! written in [`compose`].
//!
//! The outbox is the queue: a worker claims due mails with `FOR UPDATE SKIP
//! LOCKED` (PostgreSQL; SQLite has one writer) and a lease, so each mail is
//! sent once however many instances share the database; temporary refusals
//! are retried with backoff, permanent ones are kept as failed with the
//! relay's answer. A job library (apalis) would add a second schema and its
//! own worker runtime for one queue of one job kind.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod compose;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod transport;
#[cfg(feature = "ssr")]
pub mod worker;

#[cfg(feature = "ssr")]
pub use transport::{Delivery, Mailer};

/// Mails per page of the console (and the API's default).
pub const MAILS_PER_PAGE: usize = 50;
/// The longest relay answer kept with a mail.
pub const MAX_ERROR_CHARS: usize = 500;
/// The longest address a mail is sent to (RFC 5321's path limit).
pub const MAX_RECIPIENT_CHARS: usize = 254;

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// An administrator's "send a test mail".
    Test,
    /// A link to set a new password.
    PasswordReset,
    /// "Your password was changed."
    PasswordChanged,
    /// An invitation link, to the address it is for.
    Invitation,
    /// A link that confirms the account's address.
    VerifyEmail,
    /// A link that confirms the address an account moves to.
    ConfirmNewEmail,
    /// To the old address: the account is moving to another.
    EmailChangeNotice,
    /// An administrator removed the account's two-step sign-in.
    SecondFactorRemoved,
    /// A todo's reminder, or a user's "send me a test".
    Reminder,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Test => "test",
            MailKind::PasswordReset => "password_reset",
            MailKind::PasswordChanged => "password_changed",
            MailKind::Invitation => "invitation",
            MailKind::VerifyEmail => "verify_email",
            MailKind::ConfirmNewEmail => "confirm_new_email",
            MailKind::EmailChangeNotice => "email_change_notice",
            MailKind::SecondFactorRemoved => "second_factor_removed",
            MailKind::Reminder => "reminder",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "test" => Some(MailKind::Test),
            "password_reset" => Some(MailKind::PasswordReset),
            "password_changed" => Some(MailKind::PasswordChanged),
            "invitation" => Some(MailKind::Invitation),
            "verify_email" => Some(MailKind::VerifyEmail),
            "confirm_new_email" => Some(MailKind::ConfirmNewEmail),
            "email_change_notice" => Some(MailKind::EmailChangeNotice),
            "second_factor_removed" => Some(MailKind::SecondFactorRemoved),
            "reminder" => Some(MailKind::Reminder),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            MailKind::Test => "Test mail",
            MailKind::PasswordReset => "Password reset link",
            MailKind::PasswordChanged => "Password changed notice",
            MailKind::Invitation => "Invitation",
            MailKind::VerifyEmail => "Address confirmation link",
            MailKind::ConfirmNewEmail => "New address confirmation link",
            MailKind::EmailChangeNotice => "Address change notice",
            MailKind::SecondFactorRemoved => "Two-step sign-in removed notice",
            MailKind::Reminder => "Reminder",
        }
    }
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for its first or next attempt.
    Queued,
    Sent,
    /// Refused for good, or out of attempts.
    Failed,
    /// No relay is configured (development): kept for `/dev/mail`.
    Kept,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
            MailStatus::Kept => "kept",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(MailStatus::Queued),
            "sent" => Some(MailStatus::Sent),
            "failed" => Some(MailStatus::Failed),
            "kept" => Some(MailStatus::Kept),
            _ => None,
        }
    }
}

/// How this instance sends mail, as the console tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum DeliveryState {
    /// Through the SMTP relay at `relay` (host and port; never the URL,
    /// which may hold a password).
    Smtp { relay: String },
    /// No relay, in development: mail is kept and shown at `/dev/mail`.
    Kept,
    /// No relay, in production: nothing that needs mail is offered.
    Off,
}

/// One mail, as the console and the API list it (never its body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailOverview {
    pub id: i64,
    pub recipient: String,
    pub kind: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// When it is tried next, while queued.
    pub next_attempt_at: Option<String>,
    /// When it was sent, failed for good or kept.
    pub finished_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPage {
    pub delivery: DeliveryState,
    pub mails: Vec<MailOverview>,
    pub next_cursor: Option<String>,
}
