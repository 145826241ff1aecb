//! Budgets of attempts, counted in the database so that every instance
//! behind a load balancer draws on the same ones: one indexed upsert per
//! attempt, made before any password is hashed.
//!
//! - Per client address (IPv6 by its /64, which one subscriber usually
//!   holds whole), a minute at a time: sign-ups on one budget, password
//!   checks (sign-in, change-password, delete-account, on the web forms
//!   and `/api/v1` alike) on another.
//! - Per account, for clients that have not signed in to it before: at most
//!   `SIGNIN_MAX_FAILURES` password checks per window, reserved before the
//!   check runs, so concurrent guesses cannot slip past the count. A
//!   correct password forgives the account's count.
//! - Per trusted device (OWASP's "device cookies"): a browser or client
//!   holding a device token for the account checks passwords on a budget of
//!   its own, so failures from elsewhere cannot lock its owner out.

use std::{
    net::{IpAddr, Ipv6Addr},
    time::Duration,
};

use chrono::{DateTime, Utc};

use super::{device::TrustedDevice, email::Email, store};
use crate::{
    client::Client,
    db::{Db, now},
    error::AppError,
    metrics::{RefusalLabels, Refusals},
};

const ADDRESS_WINDOW: Duration = Duration::from_secs(60);
/// Imports per account and hour: each may write up to the todo cap in one
/// transaction, so a client cannot keep the database busy with them.
pub const IMPORTS_PER_HOUR: u32 = 10;
const IMPORT_WINDOW: Duration = Duration::from_secs(60 * 60);
/// Test mails per administrator and hour: the form sends to any address,
/// so a stolen administrator session cannot make the relay a spam cannon.
pub const TEST_MAILS_PER_HOUR: u32 = 10;
/// Test reminders ("send me a test") per account and hour: each goes to
/// the account's own address and browsers, so a few are plenty.
pub const TEST_REMINDERS_PER_HOUR: u32 = 5;
/// Fetches of one calendar feed an hour: a calendar app polls every 15
/// minutes to an hour, so this is a handful of devices' worth; a leaked
/// address cannot be used to keep the database busy.
pub const CALENDAR_FETCHES_PER_HOUR: u32 = 120;
/// Reset links mailed per address and hour: enough for a lost mail or two,
/// too few to flood someone's inbox.
pub const RESET_MAILS_PER_HOUR: u32 = 3;
/// Confirmation links an account may have mailed in an hour, beyond the
/// one sign-up sends.
pub const CONFIRMATION_MAILS_PER_HOUR: u32 = 3;

/// The address a budget is kept for: an IPv4 address as it is (also when
/// mapped into IPv6), an IPv6 address by its /64 network.
pub fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !u128::from(u64::MAX);
                format!("{}/64", Ipv6Addr::from(network))
            }
        },
    }
}

/// Whose budget a password check draws on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChecker {
    /// A client that has not signed in to this account before.
    Untrusted,
    /// A device that has, with its own budget.
    Device(TrustedDevice),
}

impl PasswordChecker {
    /// The counter this checker's attempts on `email` go to; a correct
    /// password clears it.
    pub fn budget(&self) -> Budget {
        match self {
            PasswordChecker::Untrusted => Budget::PasswordAccount,
            PasswordChecker::Device(_) => Budget::PasswordDevice,
        }
    }

    pub fn budget_key(&self, email: &Email) -> String {
        match self {
            PasswordChecker::Untrusted => format!("account:{}", email.as_str()),
            PasswordChecker::Device(device) => format!("device:{}", device.id()),
        }
    }
}

/// Which budget an attempt draws on: the label of its refusals in
/// `/metrics` (a fixed set, never the address or account it is kept for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    SignUp,
    PasswordAddress,
    PasswordAccount,
    PasswordDevice,
    Import,
    ResetAddress,
    ResetEmail,
    ConfirmationMail,
    TestMail,
    TestReminder,
    CalendarFeed,
}

impl Budget {
    const ALL: [Budget; 11] = [
        Budget::SignUp,
        Budget::PasswordAddress,
        Budget::PasswordAccount,
        Budget::PasswordDevice,
        Budget::Import,
        Budget::ResetAddress,
        Budget::ResetEmail,
        Budget::ConfirmationMail,
        Budget::TestMail,
        Budget::TestReminder,
        Budget::CalendarFeed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Budget::SignUp => "sign_up",
            Budget::PasswordAddress => "password_address",
            Budget::PasswordAccount => "password_account",
            Budget::PasswordDevice => "password_device",
            Budget::Import => "import",
            Budget::ResetAddress => "reset_address",
            Budget::ResetEmail => "reset_email",
            Budget::ConfirmationMail => "confirmation_mail",
            Budget::TestMail => "test_mail",
            Budget::TestReminder => "test_reminder",
            Budget::CalendarFeed => "calendar_feed",
        }
    }
}

/// The limits, and the counters in the database.
pub struct AttemptBudgets {
    db: Db,
    per_address_per_minute: u32,
    per_account: u32,
    account_window: Duration,
    refusals: Refusals,
}

/// What spending one attempt came to.
enum Spent {
    Allowed,
    /// Refused; `first` for the attempt that exhausted the budget.
    Refused {
        retry_after_secs: u64,
        first: bool,
    },
}

impl AttemptBudgets {
    pub fn new(
        db: Db,
        per_address_per_minute: u32,
        per_account: u32,
        account_window: Duration,
        refusals: Refusals,
    ) -> Self {
        // Every budget's count is shown from the start, at 0.
        for budget in Budget::ALL {
            let _ = refusals.get_or_create(&RefusalLabels {
                budget: budget.as_str(),
            });
        }
        Self {
            db,
            per_address_per_minute,
            per_account,
            account_window,
            refusals,
        }
    }

    pub fn refusals(&self) -> &Refusals {
        &self.refusals
    }

    /// One sign-up from `client`.
    pub async fn spend_sign_up(&self, client: IpAddr) -> Result<(), AppError> {
        let key = format!("signup:{}", address_key(client));
        self.spend(
            Budget::SignUp,
            &key,
            self.per_address_per_minute,
            ADDRESS_WINDOW,
        )
        .await?
        .into_result()
    }

    /// One password check from `client`, on the address's budget only (for
    /// an email that cannot name an account).
    pub async fn spend_password_address(&self, client: IpAddr) -> Result<(), AppError> {
        let key = format!("password:{}", address_key(client));
        self.spend(
            Budget::PasswordAddress,
            &key,
            self.per_address_per_minute,
            ADDRESS_WINDOW,
        )
        .await?
        .into_result()
    }

    /// One password check for `email` from `client` by `checker`, counted
    /// before the password is hashed. Refused with 429 once the address or
    /// the checker's budget is spent; the first refusal for an untrusted
    /// checker marks the account as locked, so its owner can be told.
    pub async fn spend_password_check(
        &self,
        client: &Client,
        email: &Email,
        checker: &PasswordChecker,
    ) -> Result<(), AppError> {
        self.spend_password_address(client.address).await?;
        let spent = self
            .spend(
                checker.budget(),
                &checker.budget_key(email),
                self.per_account,
                self.account_window,
            )
            .await?;
        if let Spent::Refused { first: true, .. } = spent
            && *checker == PasswordChecker::Untrusted
        {
            tracing::warn!("account locked after repeated failed password checks");
            store::mark_locked(&self.db, email, now(), client).await?;
        }
        spent.into_result()
    }

    /// One import into the account `user_id`, counted before the file is
    /// read.
    pub async fn spend_import(&self, user_id: uuid::Uuid) -> Result<(), AppError> {
        self.spend(
            Budget::Import,
            &format!("import:{user_id}"),
            IMPORTS_PER_HOUR,
            IMPORT_WINDOW,
        )
        .await?
        .into_result()
    }

    /// One request for a reset link: from this address (a minute at a
    /// time, with sign-ups' limit) and for this email (an hour at a time),
    /// counted whether or not the account exists, so the answer tells
    /// nothing.
    pub async fn spend_reset_request(&self, client: IpAddr, email: &Email) -> Result<(), AppError> {
        self.spend(
            Budget::ResetAddress,
            &format!("reset-address:{}", address_key(client)),
            self.per_address_per_minute,
            ADDRESS_WINDOW,
        )
        .await?
        .into_result()?;
        self.spend(
            Budget::ResetEmail,
            &format!("reset-email:{}", email.as_str()),
            RESET_MAILS_PER_HOUR,
            IMPORT_WINDOW,
        )
        .await?
        .into_result()
    }

    /// One confirmation link mailed for the account `user_id` (again, or to
    /// a new address): a signed-in account cannot flood an inbox.
    pub async fn spend_confirmation_mail(&self, user_id: uuid::Uuid) -> Result<(), AppError> {
        self.spend(
            Budget::ConfirmationMail,
            &format!("confirmation-mail:{user_id}"),
            CONFIRMATION_MAILS_PER_HOUR,
            IMPORT_WINDOW,
        )
        .await?
        .into_result()
    }

    /// One test mail sent by the administrator `user_id`.
    pub async fn spend_test_mail(&self, user_id: uuid::Uuid) -> Result<(), AppError> {
        self.spend(
            Budget::TestMail,
            &format!("test-mail:{user_id}"),
            TEST_MAILS_PER_HOUR,
            IMPORT_WINDOW,
        )
        .await?
        .into_result()
    }

    /// Spends one of the account's test reminders for the hour.
    pub async fn spend_test_reminder(&self, user_id: uuid::Uuid) -> Result<(), AppError> {
        self.spend(
            Budget::TestReminder,
            &format!("test-reminder:{user_id}"),
            TEST_REMINDERS_PER_HOUR,
            IMPORT_WINDOW,
        )
        .await?
        .into_result()
    }

    /// One fetch of the calendar feed of the account `user_id`.
    pub async fn spend_calendar_fetch(&self, user_id: uuid::Uuid) -> Result<(), AppError> {
        self.spend(
            Budget::CalendarFeed,
            &format!("calendar-feed:{user_id}"),
            CALENDAR_FETCHES_PER_HOUR,
            IMPORT_WINDOW,
        )
        .await?
        .into_result()
    }

    async fn spend(
        &self,
        budget: Budget,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Spent, AppError> {
        let now = now();
        let window = chrono::Duration::from_std(window).map_err(AppError::internal)?;
        let (count, expires_at) = store::count_attempt(&self.db, key, now, now + window).await?;
        if count <= i64::from(limit) {
            return Ok(Spent::Allowed);
        }
        self.refusals
            .get_or_create(&RefusalLabels {
                budget: budget.as_str(),
            })
            .inc();
        Ok(Spent::Refused {
            retry_after_secs: seconds_until(expires_at, now),
            first: count == i64::from(limit) + 1,
        })
    }
}

impl Spent {
    fn into_result(self) -> Result<(), AppError> {
        match self {
            Spent::Allowed => Ok(()),
            Spent::Refused {
                retry_after_secs, ..
            } => Err(AppError::RateLimited { retry_after_secs }),
        }
    }
}

fn seconds_until(at: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    u64::try_from((at - now).num_seconds()).unwrap_or(0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_a_budget_per_64_and_ipv4_is_kept_whole() {
        let key = |text: &str| address_key(text.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_ne!(key("203.0.113.9"), key("203.0.113.10"));
    }
}
