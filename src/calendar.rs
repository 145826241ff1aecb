//! Days as the user lives them: their time zone, their "today", and due
//! dates. Every day is computed on the server, in the zone stored with the
//! account (IANA names, from the tz database compiled into the binary), so
//! "Today" turns over at the user's midnight, not the server's.

use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Timelike as _,
    Utc,
};

use crate::error::AppError;

/// The zone of an account that has not chosen one (a sign-up without
/// JavaScript, which is how the browser tells its zone).
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// How many days Upcoming shows, today included.
pub const UPCOMING_DAYS: u64 = 7;

/// An IANA time zone, e.g. `Europe/Berlin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: Self = Self(chrono_tz::Tz::UTC);

    pub fn parse(name: &str) -> Result<Self, AppError> {
        let name = name.trim();
        chrono_tz::Tz::from_str(name).map(Self).map_err(|_| {
            let shown: String = name.chars().take(64).collect();
            AppError::Invalid(format!(
                "\u{201c}{shown}\u{201d} is not a time zone: use an IANA name such as \
                 Europe/Berlin, America/New_York or UTC."
            ))
            .in_field("time_zone")
        })
    }

    /// A zone as stored; one the tz database no longer knows reads as UTC
    /// rather than locking the account out of its pages.
    pub fn from_stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self::UTC)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The calendar day at `instant` in this zone.
    pub fn date_at(self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }

    /// The wall clock here at `instant`.
    pub fn local_at(self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.0).naive_local()
    }

    /// A local date and time here as an instant (see [`Self::instant_of`]
    /// for the times a daylight-saving change skips or repeats).
    pub fn utc_of(self, local: NaiveDateTime) -> DateTime<Utc> {
        self.instant_of(local).with_timezone(&Utc)
    }

    /// A local date and time here as an instant with its offset. A time that
    /// a daylight-saving change skips counts as the first one after the gap;
    /// one it repeats, as the earlier.
    fn instant_of(self, local: NaiveDateTime) -> DateTime<chrono_tz::Tz> {
        let mut probe = local;
        for _ in 0..4 {
            if let Some(instant) = self.0.from_local_datetime(&probe).earliest() {
                return instant;
            }
            probe += chrono::TimeDelta::minutes(30);
        }
        self.0.from_utc_datetime(&local)
    }

    /// The offset from UTC in force here at `instant`, as a calendar file
    /// names it.
    pub fn offset_at(self, instant: DateTime<Utc>) -> ZoneOffset {
        use chrono::Offset as _;
        use chrono_tz::OffsetComponents as _;
        let here = instant.with_timezone(&self.0);
        let offset = here.offset();
        ZoneOffset {
            seconds: offset.fix().local_minus_utc(),
            daylight: !offset.dst_offset().is_zero(),
            name: here.format("%Z").to_string(),
        }
    }

    /// Every change of this zone's offset (or of its name for it) after
    /// `from` and up to `to`. Read off the tz database a day at a time, so
    /// zones that change twice within one day (none do) would show one
    /// change; each change is then found to the second.
    pub fn changes_between(self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<ZoneChange> {
        const DAY: i64 = 86_400;
        let mut changes = Vec::new();
        let mut at = from;
        let mut offset = self.offset_at(at);
        while at < to {
            let next = (at + chrono::TimeDelta::seconds(DAY)).min(to);
            let next_offset = self.offset_at(next);
            if next_offset != offset {
                // The first second with the new offset: the last with the
                // old one is in [low, high).
                let (mut low, mut high) = (at.timestamp(), next.timestamp());
                while high - low > 1 {
                    let middle = low + (high - low) / 2;
                    let probe = DateTime::from_timestamp(middle, 0).unwrap_or(next);
                    if self.offset_at(probe) == offset {
                        low = middle;
                    } else {
                        high = middle;
                    }
                }
                changes.push(ZoneChange {
                    at: DateTime::from_timestamp(high, 0).unwrap_or(next),
                    before: offset,
                    after: next_offset.clone(),
                });
                offset = next_offset;
            }
            at = next;
        }
        changes
    }
}

/// An offset from UTC as a zone keeps it: seconds east of UTC, whether it
/// is daylight-saving time, and its abbreviation ("CEST").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneOffset {
    pub seconds: i32,
    pub daylight: bool,
    pub name: String,
}

/// The instant a zone moves from one offset to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChange {
    pub at: DateTime<Utc>,
    pub before: ZoneOffset,
    pub after: ZoneOffset,
}

/// Every zone a person can choose, sorted by name.
pub fn time_zone_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|zone| zone.name())
            .collect();
        names.sort_unstable();
        names
    })
}

/// Where "now" comes from: the system clock, or a fixed instant in tests
/// that must see a day turn over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
    /// The system clock moved by a fixed span: tests that need time to
    /// pass (a reminder's minute, a restart after an outage) without
    /// waiting for it.
    Shifted(chrono::TimeDelta),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(instant) => instant,
            Clock::Shifted(by) => Utc::now() + by,
        }
    }

    pub fn today_in(self, zone: TimeZone) -> NaiveDate {
        zone.date_at(self.now())
    }
}

/// When a todo is due: a day, and optionally a time on it, as the user's
/// wall clock reads them (so they stay put if the user changes zones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
}

const DUE_FORMAT_HINT: &str =
    "use a date such as 2026-12-24, or a date and time such as 2026-12-24T15:00:00+01:00";

impl Due {
    /// The JSON API's `due`: an RFC 3339 date (`2026-12-24`), a date-time
    /// with an offset (read in the user's zone), or a date-time without one
    /// (taken as the user's wall clock).
    pub fn parse(text: &str, zone: TimeZone) -> Result<Self, AppError> {
        let text = text.trim();
        let refuse = || {
            let shown: String = text.chars().take(40).collect();
            AppError::Invalid(format!(
                "\u{201c}{shown}\u{201d} is not a date: {DUE_FORMAT_HINT}."
            ))
            .in_field("due")
        };
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Self::on(date, None).map_err(|_| refuse());
        }
        if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
            let local = instant.with_timezone(&zone.0).naive_local();
            return Self::on(local.date(), Some(local.time())).map_err(|_| refuse());
        }
        for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
                return Self::on(local.date(), Some(local.time())).map_err(|_| refuse());
            }
        }
        Err(refuse())
    }

    /// What a form sends: a date field and a time field, either empty. No
    /// date means no due date; a time needs a date.
    pub fn from_form(date: &str, time: &str) -> Result<Option<Self>, AppError> {
        let (date, time) = (date.trim(), time.trim());
        if date.is_empty() {
            if time.is_empty() {
                return Ok(None);
            }
            return Err(
                AppError::Invalid("Add a date for that time, or clear the time.".into())
                    .in_field("due_date"),
            );
        }
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            AppError::Invalid("That due date is not a date: use the format 2026-12-24.".into())
                .in_field("due_date")
        })?;
        let time = match time {
            "" => None,
            time => Some(
                NaiveTime::parse_from_str(time, "%H:%M")
                    .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
                    .map_err(|_| {
                        AppError::Invalid(
                            "That time is not a time of day: use the format 15:30.".into(),
                        )
                        .in_field("due_time")
                    })?,
            ),
        };
        Self::on(date, time)
            .map(Some)
            .map_err(|error| AppError::Invalid(error.to_string()).in_field("due_date"))
    }

    /// A due date within years a person plans in; seconds kept, finer
    /// parts dropped.
    fn on(date: NaiveDate, time: Option<NaiveTime>) -> Result<Self, AppError> {
        if !(1900..=9999).contains(&date.year()) {
            return Err(AppError::Invalid(
                "Pick a due date between the years 1900 and 9999.".into(),
            )
            .in_field("due"));
        }
        let time = time.and_then(|time| time.with_nanosecond(0));
        Ok(Self { date, time })
    }

    /// The moment on the wall clock: the date at its time, or at midnight.
    pub fn wall_clock(self) -> NaiveDateTime {
        self.date.and_time(self.time.unwrap_or(NaiveTime::MIN))
    }

    /// As the JSON API writes it: the date, or the date-time with the
    /// offset the user's zone has then.
    pub fn to_rfc3339(self, zone: TimeZone) -> String {
        match self.time {
            None => self.date.format("%Y-%m-%d").to_string(),
            Some(time) => zone
                .instant_of(self.date.and_time(time))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        }
    }
}

/// A day as a heading: "Thursday 3 December".
pub fn day_heading(date: NaiveDate) -> String {
    date.format("%A %-d %B").to_string()
}

/// The last day Upcoming shows, from `today`.
pub fn upcoming_end(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(Days::new(UPCOMING_DAYS - 1))
        .unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_same_instant_is_a_different_day_in_different_zones() {
        let instant = DateTime::parse_from_rfc3339("2026-12-24T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::Fixed(instant);
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let new_york = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(clock.today_in(berlin), date("2026-12-25"));
        assert_eq!(clock.today_in(new_york), date("2026-12-24"));
    }

    #[test]
    fn unknown_zones_are_refused_and_named() {
        let error = TimeZone::parse("Mars/Olympus_Mons").unwrap_err();
        assert_eq!(error.field(), Some("time_zone"));
        assert!(error.to_string().contains("Mars/Olympus_Mons"));
        assert_eq!(TimeZone::from_stored("gone/zone"), TimeZone::UTC);
        assert!(time_zone_names().contains(&"Europe/Berlin"));
    }

    #[test]
    fn due_dates_parse_as_dates_or_date_times_in_the_users_zone() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let day = Due::parse("2026-12-24", berlin).unwrap();
        assert_eq!((day.date, day.time), (date("2026-12-24"), None));
        assert_eq!(day.to_rfc3339(berlin), "2026-12-24");

        let timed = Due::parse("2026-12-24T14:00:00Z", berlin).unwrap();
        assert_eq!(timed.date, date("2026-12-24"));
        assert_eq!(timed.time, NaiveTime::from_hms_opt(15, 0, 0));
        assert_eq!(timed.to_rfc3339(berlin), "2026-12-24T15:00:00+01:00");

        let late = Due::parse("2026-12-24T23:30:00-05:00", berlin).unwrap();
        assert_eq!(late.date, date("2026-12-25"), "read in the user's zone");

        let local = Due::parse("2026-07-01T09:30", berlin).unwrap();
        assert_eq!(local.to_rfc3339(berlin), "2026-07-01T09:30:00+02:00");

        for bad in [
            "31/02",
            "2026-02-31",
            "tomorrow",
            "",
            "2026-12-24T25:00",
            "0000-01-01",
        ] {
            let error = Due::parse(bad, berlin).unwrap_err();
            assert_eq!(error.status_code(), 422, "{bad}");
            assert_eq!(error.field(), Some("due"), "{bad}");
        }
    }

    #[test]
    fn a_form_sends_a_date_and_maybe_a_time() {
        assert_eq!(Due::from_form("", "").unwrap(), None);
        let due = Due::from_form("2026-12-24", "09:05").unwrap().unwrap();
        assert_eq!(due.time, NaiveTime::from_hms_opt(9, 5, 0));
        assert_eq!(
            Due::from_form("", "09:05").unwrap_err().field(),
            Some("due_date")
        );
        assert_eq!(
            Due::from_form("24.12.2026", "").unwrap_err().field(),
            Some("due_date")
        );
        assert_eq!(
            Due::from_form("2026-12-24", "9am").unwrap_err().field(),
            Some("due_time")
        );
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_is_written_as_the_first_after_it() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let due = Due::from_form("2026-03-29", "02:30").unwrap().unwrap();
        assert_eq!(due.to_rfc3339(berlin), "2026-03-29T03:00:00+02:00");
    }

    #[test]
    fn days_are_headed_by_name_and_upcoming_ends_a_week_out() {
        let today = date("2026-12-03");
        assert_eq!(day_heading(today), "Thursday 3 December");
        assert_eq!(upcoming_end(today), date("2026-12-09"));
    }
}
