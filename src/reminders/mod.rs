//! Reminders: a todo reminds its owner at its due time, or some minutes
//! before, through the channels they turned on (email through the outbox;
//! Web Push comes next). This part is shared with the browser: a todo's
//! reminders, their words, and the shapes the pages show.
//!
//! On the server, [`schedule`] works out the instants reminders fall due
//! and keeps `reminder_schedule` in step with the todos (called by the
//! todo store in the transaction that changes them); [`store`] owns the
//! reminder tables; [`worker`] (every instance runs one) fires what is due,
//! once, however many instances share the database.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod worker;

/// Reminders one todo may have.
pub const MAX_REMINDERS_PER_TODO: usize = 5;
/// The earliest a reminder may come: 28 days before the due time.
pub const MAX_BEFORE_MINUTES: u32 = 40_320;
/// When a todo due on a day (without a time) reminds, unless the user
/// chose otherwise: 09:00 in their zone.
pub const DEFAULT_DAY_MINUTES: u32 = 9 * 60;
/// Deliveries `/account/notifications` lists, and the API's page size.
pub const DELIVERIES_SHOWN: usize = 50;

/// The reminders the forms offer, in minutes before the due time.
pub const REMINDER_PRESETS: [u32; 9] = [0, 5, 15, 30, 60, 120, 1440, 2880, 10_080];

/// One reminder of a todo, as the JSON API and the export write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReminderJson {
    /// Minutes before the due time, 0 (at the due time) to 40,320 (28
    /// days). For a todo due on a day without a time, counted from your
    /// reminder time of day (09:00 unless you chose another).
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 40320, example = 60))]
    pub before_minutes: i64,
}

impl Reminders {
    /// As the API writes them.
    pub fn json(&self) -> Vec<ReminderJson> {
        self.0
            .iter()
            .map(|&before| ReminderJson {
                before_minutes: i64::from(before),
            })
            .collect()
    }

    /// What a client sent, checked.
    pub fn from_json(sent: &[ReminderJson]) -> Result<Self, AppError> {
        Self::new(sent.iter().map(|reminder| reminder.before_minutes))
    }
}

/// A todo's reminders: minutes before its due time, each once, earliest
/// reminder (most minutes) last.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminders(Vec<u32>);

impl Reminders {
    /// Checks what a client sent: at most [`MAX_REMINDERS_PER_TODO`], each
    /// 0 to [`MAX_BEFORE_MINUTES`] (the same one twice is kept once).
    pub fn new(minutes: impl IntoIterator<Item = i64>) -> Result<Self, AppError> {
        let mut kept = Vec::new();
        for (index, before) in minutes.into_iter().enumerate() {
            if index >= MAX_REMINDERS_PER_TODO {
                return Err(AppError::Invalid(format!(
                    "A todo can have at most {MAX_REMINDERS_PER_TODO} reminders."
                ))
                .in_field("reminders"));
            }
            let valid = u32::try_from(before)
                .ok()
                .filter(|before| *before <= MAX_BEFORE_MINUTES);
            let Some(before) = valid else {
                return Err(AppError::Invalid(format!(
                    "A reminder comes 0 to {MAX_BEFORE_MINUTES} minutes (28 days) before the \
                     due time, not {before}."
                ))
                .in_field(&format!("reminders/{index}/before_minutes")));
            };
            if !kept.contains(&before) {
                kept.push(before);
            }
        }
        kept.sort_unstable();
        Ok(Self(kept))
    }

    /// One reminder, `before` minutes before (checked).
    pub fn one(before: u32) -> Result<Self, AppError> {
        Self::new([i64::from(before)])
    }

    /// What a form's `reminder` select asked for: `None` to keep the
    /// todo's reminders (or, for a new todo, give it the default), `none`
    /// for none, else one reminder that many minutes before.
    pub fn asked(field: Option<&str>) -> Result<Option<Self>, AppError> {
        match field.map(str::trim) {
            None | Some("" | "keep" | "default") => Ok(None),
            Some("none") => Ok(Some(Self::default())),
            Some(minutes) => {
                let refused = || {
                    AppError::Invalid("Choose a reminder from the list.".into())
                        .in_field("reminder")
                };
                let before = minutes.parse::<u32>().map_err(|_| refused())?;
                Self::one(before).map(Some).map_err(|_| refused())
            }
        }
    }

    /// As stored (`"0,60"`); a part that does not read is left out, so a
    /// damaged row reminds less rather than breaking its page.
    pub fn from_stored(stored: Option<&str>) -> Self {
        let parts = stored
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| part.trim().parse::<i64>().ok());
        let mut kept = Vec::new();
        for before in parts {
            if let Ok(before) = u32::try_from(before)
                && before <= MAX_BEFORE_MINUTES
                && !kept.contains(&before)
                && kept.len() < MAX_REMINDERS_PER_TODO
            {
                kept.push(before);
            }
        }
        kept.sort_unstable();
        Self(kept)
    }

    /// As stored: `None` for no reminders.
    pub fn to_stored(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| {
            self.0
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// As a CSV cell: the minutes, separated by spaces (`0 60`).
    pub fn minutes_text(&self) -> String {
        self.0
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A CSV cell's minutes (separated by spaces, commas or semicolons).
    pub fn read_text(text: &str) -> Result<Self, AppError> {
        let mut minutes = Vec::new();
        for part in text
            .split([' ', ',', ';'])
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            if minutes.len() > MAX_REMINDERS_PER_TODO {
                break;
            }
            minutes.push(part.parse::<i64>().map_err(|_| {
                AppError::Invalid(format!(
                    "reminders are minutes before the due time, such as \"0 60\", not \"{}\"",
                    part.chars().take(20).collect::<String>()
                ))
            })?);
        }
        Self::new(minutes)
    }

    pub fn minutes(&self) -> &[u32] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// "at the due time and 1 hour before".
    pub fn words(&self) -> String {
        let words: Vec<String> = self.0.iter().map(|before| before_words(*before)).collect();
        match words.as_slice() {
            [] => "no reminder".to_owned(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// "at the due time", "15 minutes before", "1 hour before", "2 days
/// before", "90 minutes before".
pub fn before_words(before: u32) -> String {
    const DAY: u32 = 24 * 60;
    let counted = |count: u32, unit: &str| {
        let plural = if count == 1 { "" } else { "s" };
        format!("{count} {unit}{plural} before")
    };
    match before {
        0 => "at the due time".to_owned(),
        _ if before.is_multiple_of(7 * DAY) => counted(before / (7 * DAY), "week"),
        _ if before.is_multiple_of(DAY) => counted(before / DAY, "day"),
        _ if before.is_multiple_of(60) => counted(before / 60, "hour"),
        _ => counted(before, "minute"),
    }
}

/// A user's reminder settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// Reminders by mail (to a confirmed address).
    pub email: bool,
    /// Reminders by Web Push to the browsers the user subscribed.
    pub push: bool,
    /// When a todo due on a day without a time reminds: minutes after
    /// midnight in the user's zone.
    pub day_minutes: u32,
    /// The reminder a new todo gets; `None`: none.
    pub default_before: Option<u32>,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            email: true,
            push: true,
            day_minutes: DEFAULT_DAY_MINUTES,
            default_before: None,
        }
    }
}

impl ReminderSettings {
    /// The time of day as `HH:MM`.
    pub fn day_time(&self) -> String {
        format!("{:02}:{:02}", self.day_minutes / 60, self.day_minutes % 60)
    }

    /// Reads `HH:MM` (or `H:MM`) as minutes after midnight.
    pub fn parse_day_time(text: &str) -> Result<u32, AppError> {
        let refused = || {
            AppError::Invalid(
                "Give the time of day as hours and minutes, such as 09:00 or 18:30.".into(),
            )
            .in_field("time_of_day")
        };
        let (hours, minutes) = text.trim().split_once(':').ok_or_else(refused)?;
        let digits = |part: &str, most: usize| {
            (!part.is_empty() && part.len() <= most && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u32>().ok())
                .flatten()
        };
        match (digits(hours, 2), digits(minutes, 2)) {
            (Some(hours), Some(minutes)) if hours < 24 && minutes < 60 => Ok(hours * 60 + minutes),
            _ => Err(refused()),
        }
    }
}

/// A channel a reminder goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Push,
    /// No channel could take it (the log says why).
    None,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Push => "push",
            Channel::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "email" => Some(Channel::Email),
            "push" => Some(Channel::Push),
            "none" => Some(Channel::None),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "Email",
            Channel::Push => "Browser",
            Channel::None => "No channel",
        }
    }
}

/// What became of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Handed to its channel, not sent yet.
    Queued,
    Sent,
    Failed,
    /// No channel could take it.
    Skipped,
    /// Due more than 24 hours before the service could send it.
    Dropped,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Skipped => "skipped",
            DeliveryStatus::Dropped => "dropped",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(DeliveryStatus::Queued),
            "sent" => Some(DeliveryStatus::Sent),
            "failed" => Some(DeliveryStatus::Failed),
            "skipped" => Some(DeliveryStatus::Skipped),
            "dropped" => Some(DeliveryStatus::Dropped),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "Waiting to send",
            DeliveryStatus::Sent => "Sent",
            DeliveryStatus::Failed => "Failed",
            DeliveryStatus::Skipped => "Not sent",
            DeliveryStatus::Dropped => "Dropped",
        }
    }
}

/// One delivery of a reminder on one channel, as the log shows it (the
/// page and `GET /api/v1/reminders/deliveries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    /// The todo, while it exists.
    pub todo_id: Option<String>,
    /// The todo's title when it reminded; "Test reminder" for a test.
    pub title: String,
    pub channel: Channel,
    /// `queued` (handed to its channel), `sent`, `failed`, `skipped` (no
    /// channel could take it: `detail` says why) or `dropped` (due more
    /// than 24 hours before the service could send it).
    pub status: DeliveryStatus,
    /// Sent later than its minute (the service was down or behind).
    pub late: bool,
    /// A "send me a test".
    pub test: bool,
    /// Why it was not sent, or the channel's answer.
    pub detail: Option<String>,
    /// When it was due (RFC 3339, UTC).
    pub due_at: String,
    /// When its channel accepted it.
    pub sent_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reminders_are_checked_ordered_and_said_in_words() {
        let reminders = Reminders::new([60, 0, 60, 1440]).unwrap();
        assert_eq!(reminders.minutes(), [0, 60, 1440]);
        assert_eq!(
            reminders.words(),
            "at the due time, 1 hour before and 1 day before"
        );
        assert_eq!(reminders.to_stored().as_deref(), Some("0,60,1440"));
        assert_eq!(before_words(90), "90 minutes before");
        assert_eq!(before_words(10_080), "1 week before");
        assert!(Reminders::new([-1]).is_err());
        assert!(Reminders::new([i64::from(MAX_BEFORE_MINUTES) + 1]).is_err());
        assert!(Reminders::new(0..6).is_err());
        assert!(
            Reminders::new([0; 6]).is_err(),
            "six sent are too many, even the same"
        );
        assert_eq!(
            Reminders::asked(Some("none")).unwrap(),
            Some(Reminders::default())
        );
        assert_eq!(Reminders::asked(Some("keep")).unwrap(), None);
        assert!(Reminders::asked(Some("soon")).is_err());
        assert_eq!(
            Reminders::from_stored(Some("5,x,-3,99999,5")).minutes(),
            [5]
        );
    }

    #[test]
    fn a_time_of_day_is_hours_and_minutes() {
        assert_eq!(ReminderSettings::parse_day_time("09:00").unwrap(), 540);
        assert_eq!(ReminderSettings::parse_day_time(" 7:05 ").unwrap(), 425);
        for refused in [
            "24:00", "9", "09:60", "9am", "-1:00", "09:000", ":30", "+9:00",
        ] {
            assert!(
                ReminderSettings::parse_day_time(refused).is_err(),
                "{refused}"
            );
        }
    }

    proptest! {
        #[test]
        fn what_is_read_is_within_the_limits_and_reads_back(text in ".{0,64}") {
            if let Ok(reminders) = Reminders::read_text(&text) {
                prop_assert!(reminders.minutes().len() <= MAX_REMINDERS_PER_TODO);
                prop_assert_eq!(Reminders::read_text(&reminders.minutes_text()).unwrap(), reminders.clone());
                prop_assert_eq!(Reminders::from_stored(reminders.to_stored().as_deref()), reminders);
            }
        }

        #[test]
        fn every_minute_of_the_day_reads_back(minutes in 0u32..1440) {
            let settings = ReminderSettings { day_minutes: minutes, ..ReminderSettings::default() };
            prop_assert_eq!(ReminderSettings::parse_day_time(&settings.day_time()).unwrap(), minutes);
        }
    }
}
