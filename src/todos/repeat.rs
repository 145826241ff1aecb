//! Repeating todos. A repeat is an RFC 5545 recurrence rule (`RRULE`), so
//! it means the same in a calendar feed, an export or another app, limited
//! to what people use: `FREQ` (daily, weekly, monthly, yearly) with
//! `INTERVAL`, `BYDAY` (with ordinals, "the last Friday", for monthly and
//! for yearly within a month), `BYMONTHDAY` (negative from the month's
//! end), `BYMONTH`, and `COUNT` or `UNTIL`. Anything else is refused by
//! name rather than half-understood.
//!
//! Due dates are the user's wall clock (a date and maybe a time), so the
//! next one is found on the wall clock too: 09:00 stays 09:00 across a
//! daylight-saving change. The dates themselves come from the `rrule`
//! crate; `COUNT` and `UNTIL` are applied here, one occurrence at a time,
//! because each occurrence is its own todo carrying what is left of them.

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc, Weekday,
};

use super::{REPEAT_PRESETS, RepeatForm, RepeatFrom, RepeatShown};
use crate::{
    calendar::{Due, TimeZone},
    error::AppError,
};

/// The longest rule text accepted, in characters: room for every weekday
/// with an ordinal and a list of month days, and no more.
pub const MAX_RULE_CHARS: usize = 200;
/// The largest `INTERVAL`: every 999 days, weeks, months or years.
pub const MAX_INTERVAL: u16 = 999;
/// The largest `COUNT`.
pub const MAX_COUNT: u32 = 1000;
/// Occurrences the search for the next one looks at before it gives up.
/// A rule whose dates all lie before its start yields none quickly; one
/// that can never match (the 30th of February) is refused when saved.
const NEXT_SEARCH_LIMIT: usize = 64;
/// The last year a due date may fall in (as [`Due`] allows).
const LAST_YEAR: i32 = 9999;

const SUPPORTED: &str = "a repeat may use FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), INTERVAL, \
     BYDAY, BYMONTHDAY, BYMONTH, and COUNT or UNTIL";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Frequency {
    fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }
}

/// A `BYDAY` entry: a weekday, every one of the period or the nth
/// (negative: from the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayOfRule {
    pub nth: Option<i8>,
    pub weekday: Weekday,
}

/// How a rule ends: after so many more occurrences (this one included),
/// or after a day or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Count(u32),
    Until(Until),
}

/// `UNTIL`: a date (the whole day counts), a wall-clock date-time, or a
/// UTC instant (read in the user's zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Date(NaiveDate),
    Local(NaiveDateTime),
    Utc(NaiveDateTime),
}

impl Until {
    /// The last wall-clock moment an occurrence may be due, in `zone`.
    fn last_local(self, zone: TimeZone) -> NaiveDateTime {
        match self {
            Until::Date(date) => {
                date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
            }
            Until::Local(local) => local,
            Until::Utc(instant) => zone.local_at(Utc.from_utc_datetime(&instant)),
        }
    }
}

/// A checked rule, kept and written in one canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub frequency: Frequency,
    pub interval: u16,
    pub by_day: Vec<DayOfRule>,
    pub by_month_day: Vec<i8>,
    pub by_month: Vec<u8>,
    pub end: Option<End>,
}

/// A todo's repeat: its rule, and whether the next date counts from the
/// due date or from the day it was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    pub rule: Rule,
    pub from: RepeatFrom,
}

/// A repeat as the JSON API and the export file write it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepeatJson {
    /// An RFC 5545 recurrence rule (with or without `RRULE:`): `FREQ`
    /// DAILY, WEEKLY, MONTHLY or YEARLY, and optionally `INTERVAL` (1 to
    /// 999), `BYDAY` (numbered, as `-1FR`, for monthly and yearly rules),
    /// `BYMONTHDAY` (-31 to 31, negative from the month's end), `BYMONTH`,
    /// and `COUNT` (1 to 1,000, this todo included) or `UNTIL`. Answers
    /// write it in one canonical form.
    #[schema(example = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", max_length = 200)]
    pub rule: String,
    /// `due` (the default): the next date follows the due date of the
    /// todo completed. `completion`: it follows the day it was completed.
    #[serde(default)]
    pub from: RepeatFrom,
}

impl RepeatJson {
    pub fn of(repeat: &Repeat) -> Self {
        Self {
            rule: repeat.rule.to_string(),
            from: repeat.from,
        }
    }

    /// The repeat, checked for a todo due `due` ([`Repeat::fits`]).
    pub fn checked(&self, due: Option<Due>) -> Result<Repeat, AppError> {
        let repeat = self.read(due)?;
        repeat.fits(due)?;
        Ok(repeat)
    }

    /// The repeat of an imported todo due `due`: a valid rule on a todo
    /// with a due date, as an export writes it. (Not [`Repeat::fits`]: a
    /// kept todo due in December 9999 repeats yearly, with no next date.)
    pub fn read(&self, due: Option<Due>) -> Result<Repeat, AppError> {
        Repeat::read(&self.rule, self.from.as_str(), due)
    }
}

/// A form field as sent, trimmed; empty when absent.
fn text(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or_default()
}

impl RepeatForm {
    /// Whether the form sets a rule (one to check against the todo's due
    /// date) rather than keeping or stopping the repeat.
    pub fn sets_a_rule(&self) -> bool {
        !matches!(text(&self.kind), "" | "keep" | "none")
    }

    /// What the form asks of a todo due `due`: `None` leaves its repeat
    /// as it is, `Some(None)` stops it.
    pub fn asked(&self, due: Option<Due>) -> Result<Option<Option<Repeat>>, AppError> {
        let rule = match text(&self.kind) {
            "" | "keep" => return Ok(None),
            "none" => return Ok(Some(None)),
            "custom" => self.custom_rule()?,
            kind => match REPEAT_PRESETS.iter().find(|(value, ..)| *value == kind) {
                Some((_, _, rule)) => (*rule).to_owned(),
                None => {
                    return Err(refuse(format!(
                        "\u{201c}{}\u{201d} is not a repeat: choose one from the list.",
                        shown(kind, 40)
                    )));
                }
            },
        };
        Repeat::parse(&rule, text(&self.from), due).map(|repeat| Some(Some(repeat)))
    }

    /// The rule the custom fields describe, checked by [`Rule::parse`].
    fn custom_rule(&self) -> Result<String, AppError> {
        let every = match text(&self.every) {
            "" => 1,
            every => parse_number(every, "Every", 1, i64::from(MAX_INTERVAL)).map_err(|_| {
                refuse(format!(
                    "Repeat every 1 to {MAX_INTERVAL} days, weeks, months or years."
                ))
            })?,
        };
        let frequency = match text(&self.unit) {
            "day" | "" => "DAILY",
            "week" => "WEEKLY",
            "month" => "MONTHLY",
            "year" => "YEARLY",
            other => {
                return Err(refuse(format!(
                    "\u{201c}{}\u{201d} is not a unit: use day, week, month or year.",
                    shown(other, 20)
                )));
            }
        };
        let mut rule = format!("FREQ={frequency};INTERVAL={every}");
        if frequency == "WEEKLY" {
            let checked = [
                (&self.mo, "MO"),
                (&self.tu, "TU"),
                (&self.we, "WE"),
                (&self.th, "TH"),
                (&self.fr, "FR"),
                (&self.sa, "SA"),
                (&self.su, "SU"),
            ];
            let days: Vec<&str> = checked
                .iter()
                .filter(|(value, _)| !text(value).is_empty())
                .map(|(_, code)| *code)
                .collect();
            if !days.is_empty() {
                rule.push_str(&format!(";BYDAY={}", days.join(",")));
            }
        }
        if frequency == "MONTHLY" {
            match text(&self.monthly) {
                "" => {}
                "last_day" => rule.push_str(";BYMONTHDAY=-1"),
                weekday => {
                    let day = parse_day(&weekday.to_ascii_uppercase())?;
                    if day.nth.is_none() {
                        return Err(refuse(
                            "Choose which weekday of the month, such as the last Friday.",
                        ));
                    }
                    rule.push_str(&format!(";BYDAY={weekday}"));
                }
            }
        }
        match text(&self.ends) {
            "" | "never" => {}
            "count" => {
                let count = parse_number(text(&self.count), "COUNT", 1, i64::from(MAX_COUNT))
                    .map_err(|_| refuse(format!("End after 1 to {MAX_COUNT} times.")))?;
                rule.push_str(&format!(";COUNT={count}"));
            }
            "until" => {
                let until = NaiveDate::parse_from_str(text(&self.until), "%Y-%m-%d")
                    .map_err(|_| refuse("Give the day the repeat ends, such as 2027-12-31."))?;
                rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%d")));
            }
            other => {
                return Err(refuse(format!(
                    "\u{201c}{}\u{201d} is not how a repeat ends: use never, count or until.",
                    shown(other, 20)
                )));
            }
        }
        Ok(rule)
    }
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::Invalid(message.into()).in_field("repeat")
}

/// At most `max` characters of outside text, for an error message.
fn shown(text: &str, max: usize) -> String {
    let mut shown: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        shown.push('…');
    }
    shown
}

impl RepeatFrom {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "" | "due" => Ok(RepeatFrom::Due),
            "completion" => Ok(RepeatFrom::Completion),
            other => Err(refuse(format!(
                "\u{201c}{}\u{201d} is not where a repeat counts from: use due or completion.",
                shown(other, 40)
            ))),
        }
    }
}

impl Rule {
    /// Reads a rule as RFC 5545 writes it (`FREQ=WEEKLY;BYDAY=MO,TH`, an
    /// `RRULE:` prefix allowed, names in any case), refusing what Taskward
    /// does not repeat by.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        crate::error::refuse_nul(text, "repeat")?;
        let text = text.trim();
        let chars = text.chars().count();
        if chars > MAX_RULE_CHARS {
            return Err(refuse(format!(
                "Keep a repeat rule to {MAX_RULE_CHARS} characters (this one has {chars})."
            )));
        }
        let body = match text.get(..6) {
            Some(prefix) if prefix.eq_ignore_ascii_case("RRULE:") => &text[6..],
            _ => text,
        };
        let mut frequency = None;
        let mut interval = None;
        let mut by_day = None;
        let mut by_month_day = None;
        let mut by_month = None;
        let mut count = None;
        let mut until = None;
        let mut week_start = None;
        for part in body
            .split(';')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            let Some((name, value)) = part.split_once('=') else {
                return Err(refuse(format!(
                    "\u{201c}{}\u{201d} is not a rule part: write NAME=VALUE, as in FREQ=WEEKLY.",
                    shown(part, 40)
                )));
            };
            let name = name.trim().to_ascii_uppercase();
            let value = value.trim().to_ascii_uppercase();
            let slot_taken = match name.as_str() {
                "FREQ" => frequency.replace(parse_frequency(&value)?).is_some(),
                "INTERVAL" => interval
                    .replace(parse_number(&value, "INTERVAL", 1, i64::from(MAX_INTERVAL))? as u16)
                    .is_some(),
                "BYDAY" => by_day
                    .replace(parse_list(&value, "BYDAY", parse_day)?)
                    .is_some(),
                "BYMONTHDAY" => by_month_day
                    .replace(parse_list(&value, "BYMONTHDAY", parse_month_day)?)
                    .is_some(),
                "BYMONTH" => by_month
                    .replace(parse_list(&value, "BYMONTH", |value| {
                        parse_number(value, "BYMONTH", 1, 12).map(|month| month as u8)
                    })?)
                    .is_some(),
                "COUNT" => count
                    .replace(parse_number(&value, "COUNT", 1, i64::from(MAX_COUNT))? as u32)
                    .is_some(),
                "UNTIL" => until.replace(parse_until(&value)?).is_some(),
                // The default week start is the only one there is here.
                "WKST" if value == "MO" => week_start.replace(()).is_some(),
                "WKST" => {
                    return Err(refuse(
                        "Only WKST=MO (weeks start on Monday) is supported; leave WKST out.",
                    ));
                }
                "" => {
                    return Err(refuse(
                        "A rule part has no name before its \u{201c}=\u{201d}.",
                    ));
                }
                other => {
                    return Err(refuse(format!(
                        "{} is not supported: {SUPPORTED}.",
                        shown(other, 20)
                    )));
                }
            };
            if slot_taken {
                return Err(refuse(format!("{name} appears twice in the rule.")));
            }
        }
        let Some(frequency) = frequency else {
            return Err(refuse(
                "A repeat rule needs FREQ: DAILY, WEEKLY, MONTHLY or YEARLY, as in FREQ=WEEKLY.",
            ));
        };
        let by_day = by_day.unwrap_or_default();
        let by_month_day = by_month_day.unwrap_or_default();
        let by_month = by_month.unwrap_or_default();
        let ordinals_allowed = frequency == Frequency::Monthly
            || (frequency == Frequency::Yearly && !by_month.is_empty());
        if !ordinals_allowed && by_day.iter().any(|day| day.nth.is_some()) {
            return Err(refuse(
                "A numbered weekday (such as -1FR, the last Friday) needs FREQ=MONTHLY, or \
                 FREQ=YEARLY with BYMONTH.",
            ));
        }
        if frequency == Frequency::Weekly && !by_month_day.is_empty() {
            return Err(refuse(
                "BYMONTHDAY cannot go with FREQ=WEEKLY: use BYDAY for the days of the week.",
            ));
        }
        let end = match (count, until) {
            (Some(_), Some(_)) => {
                return Err(refuse(
                    "A rule ends either after a COUNT or on an UNTIL date, not both.",
                ));
            }
            (Some(count), None) => Some(End::Count(count)),
            (None, Some(until)) => Some(End::Until(until)),
            (None, None) => None,
        };
        Ok(Rule {
            frequency,
            interval: interval.unwrap_or(1),
            by_day: sorted_days(by_day),
            by_month_day: sorted(by_month_day),
            by_month: sorted(by_month),
            end,
        })
    }

    /// The rule the next occurrence carries: one fewer left of a `COUNT`.
    /// `None` when this occurrence was the last.
    fn after_one(&self) -> Option<Rule> {
        let mut next = self.clone();
        if let Some(End::Count(count)) = self.end {
            if count <= 1 {
                return None;
            }
            next.end = Some(End::Count(count - 1));
        }
        Some(next)
    }

    /// The first occurrence strictly after `start` on the wall clock, by
    /// the rule's pattern alone (its end aside), keeping `start`'s time of
    /// day. `None` past the year 9999 or when the pattern has none soon.
    fn next_after(&self, start: NaiveDateTime) -> Option<NaiveDateTime> {
        // The wall clock is read as UTC: no daylight-saving change moves it.
        let dt_start = rrule::Tz::UTC.from_utc_datetime(&start);
        let mut rule = rrule::RRule::new(match self.frequency {
            Frequency::Daily => rrule::Frequency::Daily,
            Frequency::Weekly => rrule::Frequency::Weekly,
            Frequency::Monthly => rrule::Frequency::Monthly,
            Frequency::Yearly => rrule::Frequency::Yearly,
        })
        .interval(self.interval);
        if !self.by_day.is_empty() {
            rule = rule.by_weekday(
                self.by_day
                    .iter()
                    .map(|day| match day.nth {
                        Some(nth) => rrule::NWeekday::Nth(i16::from(nth), day.weekday),
                        None => rrule::NWeekday::Every(day.weekday),
                    })
                    .collect(),
            );
        }
        if !self.by_month_day.is_empty() {
            rule = rule.by_month_day(self.by_month_day.clone());
        }
        if !self.by_month.is_empty() {
            let months: Vec<chrono::Month> = self
                .by_month
                .iter()
                .filter_map(|month| chrono::Month::try_from(*month).ok())
                .collect();
            rule = rule.by_month(&months);
        }
        let rule = rule.validate(dt_start).ok()?;
        let set = rrule::RRuleSet::new(dt_start).rrule(rule).limit();
        set.into_iter()
            .take(NEXT_SEARCH_LIMIT)
            .map(|occurrence| occurrence.naive_utc())
            .take_while(|occurrence| occurrence.year() <= LAST_YEAR)
            .find(|occurrence| *occurrence > start)
    }

    /// Whether the pattern occurs at all after `start`: a rule that never
    /// does (the 30th of February) is refused when saved.
    fn occurs_after(&self, start: NaiveDateTime) -> bool {
        Rule {
            end: None,
            ..self.clone()
        }
        .next_after(start)
        .is_some()
    }
}

impl std::fmt::Display for Rule {
    /// The canonical form: FREQ, INTERVAL (when not 1), BYMONTH,
    /// BYMONTHDAY, BYDAY, then COUNT or UNTIL, each list sorted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FREQ={}", self.frequency.as_str())?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        let join = |values: Vec<String>| values.join(",");
        if !self.by_month.is_empty() {
            write!(
                f,
                ";BYMONTH={}",
                join(self.by_month.iter().map(u8::to_string).collect())
            )?;
        }
        if !self.by_month_day.is_empty() {
            let days = self.by_month_day.iter().map(i8::to_string).collect();
            write!(f, ";BYMONTHDAY={}", join(days))?;
        }
        if !self.by_day.is_empty() {
            let days = self
                .by_day
                .iter()
                .map(|day| {
                    let code = weekday_code(day.weekday);
                    day.nth
                        .map_or_else(|| code.to_owned(), |nth| format!("{nth}{code}"))
                })
                .collect();
            write!(f, ";BYDAY={}", join(days))?;
        }
        match self.end {
            Some(End::Count(count)) => write!(f, ";COUNT={count}"),
            Some(End::Until(Until::Date(date))) => write!(f, ";UNTIL={}", date.format("%Y%m%d")),
            Some(End::Until(Until::Local(local))) => {
                write!(f, ";UNTIL={}", local.format("%Y%m%dT%H%M%S"))
            }
            Some(End::Until(Until::Utc(instant))) => {
                write!(f, ";UNTIL={}", instant.format("%Y%m%dT%H%M%SZ"))
            }
            None => Ok(()),
        }
    }
}

impl Repeat {
    /// A repeat as the API and the forms send it, for a todo due `due`:
    /// refused when the todo has no due date or the rule never occurs
    /// after it.
    pub fn parse(rule: &str, from: &str, due: Option<Due>) -> Result<Self, AppError> {
        let repeat = Self::read(rule, from, due)?;
        repeat.fits(due)?;
        Ok(repeat)
    }

    /// A valid rule on a todo with a due date, as an import reads it.
    pub fn read(rule: &str, from: &str, due: Option<Due>) -> Result<Self, AppError> {
        if due.is_none() {
            return Err(refuse(
                "A repeating todo needs a due date: the repeat counts from it.",
            ));
        }
        Ok(Repeat {
            rule: Rule::parse(rule)?,
            from: RepeatFrom::parse(from)?,
        })
    }

    /// Checks that this repeat can go on a todo due `due`: there is one,
    /// and the rule has a date after it.
    pub fn fits(&self, due: Option<Due>) -> Result<(), AppError> {
        let Some(due) = due else {
            return Err(refuse(
                "A repeating todo needs a due date: the repeat counts from it.",
            ));
        };
        if !self.rule.occurs_after(due.wall_clock()) {
            return Err(refuse(format!(
                "The rule {} has no date after the due date {}: check its month days \
                 (there is no 30 February).",
                self.rule,
                due.date.format("%Y-%m-%d")
            )));
        }
        Ok(())
    }

    /// A repeat as stored; `None` for one this version cannot read (it is
    /// then shown and kept as no repeat rather than failing the page).
    pub fn from_stored(rule: Option<&str>, from: Option<&str>) -> Option<Self> {
        Some(Repeat {
            rule: Rule::parse(rule?).ok()?,
            from: RepeatFrom::parse(from.unwrap_or_default()).ok()?,
        })
    }

    /// The next occurrence of a todo due `due` and done at `done_at`: when
    /// it is due and the repeat it carries on with. `None` when the rule
    /// has run out (its COUNT, or UNTIL before the next date).
    pub fn next(&self, due: Due, done_at: DateTime<Utc>, zone: TimeZone) -> Option<(Due, Repeat)> {
        let rule = self.rule.after_one()?;
        let time = due.time;
        let start = match self.from {
            RepeatFrom::Due => due.wall_clock(),
            RepeatFrom::Completion => zone
                .date_at(done_at)
                .and_time(time.unwrap_or(NaiveTime::MIN)),
        };
        let next = self.rule.next_after(start)?;
        if let Some(End::Until(until)) = self.rule.end
            && next > until.last_local(zone)
        {
            return None;
        }
        let due = Due {
            date: next.date(),
            time: time.map(|_| next.time()),
        };
        Some((
            due,
            Repeat {
                rule,
                from: self.from,
            },
        ))
    }

    /// The repeat as a page shows it.
    pub fn shown(&self) -> RepeatShown {
        RepeatShown {
            rule: self.rule.to_string(),
            from: self.from,
            words: self.words(),
        }
    }

    /// In words: "every 2 weeks on Mon, Thu", "monthly on the last Friday".
    pub fn words(&self) -> String {
        let rule = &self.rule;
        let mut words = match (rule.frequency, rule.interval) {
            _ if is_every_weekday(rule) => "every weekday".to_owned(),
            (Frequency::Daily, 1) => "daily".to_owned(),
            (Frequency::Weekly, 1) => "weekly".to_owned(),
            (Frequency::Monthly, 1) => "monthly".to_owned(),
            (Frequency::Yearly, 1) => "yearly".to_owned(),
            (Frequency::Daily, n) => format!("every {n} days"),
            (Frequency::Weekly, n) => format!("every {n} weeks"),
            (Frequency::Monthly, n) => format!("every {n} months"),
            (Frequency::Yearly, n) => format!("every {n} years"),
        };
        let yearly_day = rule.frequency == Frequency::Yearly
            && rule.by_month.len() == 1
            && rule.by_month_day.len() == 1
            && rule.by_month_day[0] > 0
            && rule.by_day.is_empty();
        if yearly_day {
            words.push_str(&format!(
                " on {} {}",
                rule.by_month_day[0],
                month_name(rule.by_month[0])
            ));
        } else {
            if !rule.by_month_day.is_empty() {
                let days: Vec<String> = rule
                    .by_month_day
                    .iter()
                    .map(|day| month_day_words(*day))
                    .collect();
                words.push_str(&format!(" on the {}", and_list(&days)));
            }
            if !rule.by_day.is_empty() && !is_every_weekday(rule) {
                if rule.by_day.iter().any(|day| day.nth.is_some()) {
                    let days: Vec<String> = rule
                        .by_day
                        .iter()
                        .map(|day| match day.nth {
                            Some(nth) => {
                                format!("the {} {}", ordinal_words(nth), weekday_name(day.weekday))
                            }
                            None => format!("every {}", weekday_name(day.weekday)),
                        })
                        .collect();
                    words.push_str(&format!(" on {}", and_list(&days)));
                } else {
                    let days: Vec<&str> = rule
                        .by_day
                        .iter()
                        .map(|day| weekday_short(day.weekday))
                        .collect();
                    words.push_str(&format!(" on {}", days.join(", ")));
                }
            }
            if !rule.by_month.is_empty() {
                let months: Vec<String> = rule
                    .by_month
                    .iter()
                    .map(|month| month_name(*month).to_owned())
                    .collect();
                words.push_str(&format!(" in {}", and_list(&months)));
            }
        }
        if self.from == RepeatFrom::Completion {
            words.push_str(" after done");
        }
        match rule.end {
            Some(End::Count(1)) => words.push_str(", this is the last time"),
            Some(End::Count(count)) => words.push_str(&format!(", {count} times left")),
            Some(End::Until(until)) => {
                let date = match until {
                    Until::Date(date) => date,
                    Until::Local(local) | Until::Utc(local) => local.date(),
                };
                words.push_str(&format!(", until {}", date.format("%-d %b %Y")));
            }
            None => {}
        }
        words
    }
}

fn is_every_weekday(rule: &Rule) -> bool {
    use Weekday::*;
    matches!(rule.frequency, Frequency::Daily | Frequency::Weekly)
        && rule.interval == 1
        && rule.by_month_day.is_empty()
        && rule.by_month.is_empty()
        && rule.by_day.len() == 5
        && [Mon, Tue, Wed, Thu, Fri]
            .iter()
            .zip(&rule.by_day)
            .all(|(weekday, day)| day.nth.is_none() && day.weekday == *weekday)
}

fn parse_frequency(value: &str) -> Result<Frequency, AppError> {
    match value {
        "DAILY" => Ok(Frequency::Daily),
        "WEEKLY" => Ok(Frequency::Weekly),
        "MONTHLY" => Ok(Frequency::Monthly),
        "YEARLY" => Ok(Frequency::Yearly),
        other => Err(refuse(format!(
            "FREQ={} is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY.",
            shown(other, 20)
        ))),
    }
}

/// A whole number in `min..=max`, plain digits with an optional sign.
fn parse_number(value: &str, name: &str, min: i64, max: i64) -> Result<i64, AppError> {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    let number =
        (!digits.is_empty() && digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| value.trim_start_matches('+').parse::<i64>().ok())
            .flatten()
            .filter(|number| (min..=max).contains(number));
    number.ok_or_else(|| {
        refuse(format!(
            "{name}={} is not a number from {min} to {max}.",
            shown(value, 20)
        ))
    })
}

/// A comma-separated list of at least one value, none twice.
fn parse_list<T: PartialEq>(
    value: &str,
    name: &str,
    parse: impl Fn(&str) -> Result<T, AppError>,
) -> Result<Vec<T>, AppError> {
    let mut values = Vec::new();
    for item in value.split(',').map(str::trim) {
        let parsed = parse(item)?;
        if values.contains(&parsed) {
            return Err(refuse(format!("{name} names {} twice.", shown(item, 20))));
        }
        values.push(parsed);
    }
    Ok(values)
}

fn parse_day(value: &str) -> Result<DayOfRule, AppError> {
    let refuse_day = || {
        refuse(format!(
            "BYDAY={} is not a weekday: use MO, TU, WE, TH, FR, SA or SU, numbered for \
             monthly rules (1MO, the first Monday; -1FR, the last Friday).",
            shown(value, 20)
        ))
    };
    let split = value.len().checked_sub(2).ok_or_else(refuse_day)?;
    let (nth, code) = (value.get(..split).ok_or_else(refuse_day)?, &value[split..]);
    let weekday = match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return Err(refuse_day()),
    };
    let nth = match nth {
        "" => None,
        nth => {
            let nth = parse_number(nth, "BYDAY", -5, 5).map_err(|_| {
                refuse(format!(
                    "BYDAY={} numbers a weekday outside 1 to 5 (or -1 to -5 from the end).",
                    shown(value, 20)
                ))
            })?;
            if nth == 0 {
                return Err(refuse_day());
            }
            Some(nth as i8)
        }
    };
    Ok(DayOfRule { nth, weekday })
}

fn parse_month_day(value: &str) -> Result<i8, AppError> {
    let day = parse_number(value, "BYMONTHDAY", -31, 31)?;
    if day == 0 {
        return Err(refuse(
            "BYMONTHDAY=0 is not a day: use 1 to 31, or -1 for the last day.",
        ));
    }
    Ok(day as i8)
}

fn parse_until(value: &str) -> Result<Until, AppError> {
    let refuse_until = || {
        refuse(format!(
            "UNTIL={} is not a date: write 20271231, 20271231T090000 or 20271231T080000Z.",
            shown(value, 30)
        ))
    };
    let until = if let Some(instant) = value.strip_suffix('Z') {
        NaiveDateTime::parse_from_str(instant, "%Y%m%dT%H%M%S").map(Until::Utc)
    } else if value.contains('T') {
        NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map(Until::Local)
    } else if value.len() == 8 {
        NaiveDate::parse_from_str(value, "%Y%m%d").map(Until::Date)
    } else {
        return Err(refuse_until());
    }
    .map_err(|_| refuse_until())?;
    let year = match until {
        Until::Date(date) => date.year(),
        Until::Local(local) | Until::Utc(local) => local.year(),
    };
    if !(1900..=LAST_YEAR).contains(&year) {
        return Err(refuse_until());
    }
    Ok(until)
}

fn sorted<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort_unstable();
    values
}

/// Weekdays from Monday; numbered ones by their number, from the end last.
fn sorted_days(mut days: Vec<DayOfRule>) -> Vec<DayOfRule> {
    days.sort_by_key(|day| {
        let nth = day
            .nth
            .map_or(0, |nth| if nth < 0 { 10 - nth } else { nth });
        (nth, day.weekday.num_days_from_monday())
    });
    days
}

fn weekday_code(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn weekday_short(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn month_name(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(usize::from(month).saturating_sub(1))
        .copied()
        .unwrap_or("?")
}

/// 1 → "first", -1 → "last", -2 → "second to last".
fn ordinal_words(nth: i8) -> String {
    const NAMES: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];
    let name = NAMES
        .get(usize::from(nth.unsigned_abs()).saturating_sub(1))
        .copied()
        .unwrap_or("nth");
    match nth {
        -1 => "last".to_owned(),
        n if n < 0 => format!("{name} to last"),
        _ => name.to_owned(),
    }
}

/// 1 → "1st", 22 → "22nd", -1 → "last day", -2 → "2nd to last day".
fn month_day_words(day: i8) -> String {
    let numbered = |n: u8| {
        let suffix = match (n % 10, n % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        format!("{n}{suffix}")
    };
    match day {
        -1 => "last day".to_owned(),
        day if day < 0 => format!("{} to last day", numbered(day.unsigned_abs())),
        day => numbered(day.unsigned_abs()),
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn due(text: &str) -> Due {
        match text.split_once(' ') {
            Some((day, time)) => Due {
                date: date(day),
                time: Some(NaiveTime::parse_from_str(time, "%H:%M").unwrap()),
            },
            None => Due {
                date: date(text),
                time: None,
            },
        }
    }

    fn repeat(rule: &str, from: RepeatFrom) -> Repeat {
        Repeat {
            rule: Rule::parse(rule).unwrap(),
            from,
        }
    }

    /// The due dates of `count` occurrences after `first`, each completed
    /// on its due date, in Berlin.
    fn series(rule: &str, first: &str, count: usize) -> Vec<String> {
        let zone = TimeZone::parse("Europe/Berlin").unwrap();
        let mut current = (due(first), repeat(rule, RepeatFrom::Due));
        let mut dates = Vec::new();
        for _ in 0..count {
            let done_at = Utc::now();
            let Some(next) = current.1.next(current.0, done_at, zone) else {
                break;
            };
            dates.push(match next.0.time {
                Some(time) => format!("{} {}", next.0.date, time.format("%H:%M")),
                None => next.0.date.to_string(),
            });
            current = next;
        }
        dates
    }

    #[test]
    fn rules_are_read_in_any_case_and_written_in_one_form() {
        for (input, canonical) in [
            ("FREQ=DAILY", "FREQ=DAILY"),
            (
                "rrule:freq=weekly;byday=th,mo;interval=2",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            ),
            ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=-1;INTERVAL=1",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
            ),
            (
                "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
                "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
            ),
            ("FREQ=WEEKLY;COUNT=3;WKST=MO;", "FREQ=WEEKLY;COUNT=3"),
            ("FREQ=DAILY;UNTIL=20271231", "FREQ=DAILY;UNTIL=20271231"),
            (
                "FREQ=DAILY;UNTIL=20271231T080000Z",
                "FREQ=DAILY;UNTIL=20271231T080000Z",
            ),
        ] {
            let rule = Rule::parse(input).unwrap_or_else(|error| panic!("{input}: {error}"));
            assert_eq!(rule.to_string(), canonical, "{input}");
            assert_eq!(Rule::parse(canonical).unwrap(), rule);
        }
    }

    #[test]
    fn what_taskward_does_not_repeat_by_is_refused_by_name() {
        for (input, says) in [
            ("", "needs FREQ"),
            ("FREQ=HOURLY", "HOURLY"),
            ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
            ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR", "BYSETPOS"),
            ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
            ("FREQ=DAILY;INTERVAL=1000", "1 to 999"),
            ("FREQ=WEEKLY;BYDAY=1MO", "numbered weekday"),
            ("FREQ=MONTHLY;BYDAY=6MO", "outside 1 to 5"),
            ("FREQ=MONTHLY;BYDAY=MO,MO", "twice"),
            ("FREQ=MONTHLY;BYDAY=XX", "not a weekday"),
            ("FREQ=WEEKLY;BYMONTHDAY=1", "cannot go with FREQ=WEEKLY"),
            ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", "not a day"),
            ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"),
            ("FREQ=DAILY;COUNT=2;UNTIL=20271231", "not both"),
            ("FREQ=DAILY;COUNT=1001", "COUNT=1001"),
            ("FREQ=DAILY;UNTIL=2027-12-31", "not a date"),
            ("FREQ=DAILY;WKST=SU", "WKST=MO"),
            ("FREQ", "NAME=VALUE"),
            ("FREQ=DAILY;X-NAME=1", "X-NAME is not supported"),
        ] {
            let error = Rule::parse(input).unwrap_err();
            assert_eq!(error.field(), Some("repeat"), "{input}");
            assert_eq!(error.status_code(), 422, "{input}");
            assert!(error.to_string().contains(says), "{input}: {error}");
        }
        let long = format!("FREQ=DAILY;{}", "BYMONTHDAY=1;".repeat(20));
        assert!(
            Rule::parse(&long)
                .unwrap_err()
                .to_string()
                .contains("200 characters")
        );
        let huge = Rule::parse(&format!("FREQ={}", "X".repeat(100_000))).unwrap_err();
        assert!(
            huge.to_string().len() < 300,
            "{} bytes",
            huge.to_string().len()
        );
    }

    #[test]
    fn a_rule_reads_in_words() {
        for (rule, from, words) in [
            ("FREQ=DAILY", RepeatFrom::Due, "daily"),
            (
                "FREQ=DAILY;INTERVAL=3",
                RepeatFrom::Completion,
                "every 3 days after done",
            ),
            (
                "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                RepeatFrom::Due,
                "every weekday",
            ),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
                RepeatFrom::Due,
                "every 2 weeks on Mon, Thu",
            ),
            (
                "FREQ=MONTHLY;BYDAY=-1FR",
                RepeatFrom::Due,
                "monthly on the last Friday",
            ),
            (
                "FREQ=MONTHLY;BYDAY=1MO,3MO",
                RepeatFrom::Due,
                "monthly on the first Monday and the third Monday",
            ),
            (
                "FREQ=MONTHLY;BYMONTHDAY=1",
                RepeatFrom::Due,
                "monthly on the 1st",
            ),
            (
                "FREQ=MONTHLY;BYMONTHDAY=-1",
                RepeatFrom::Due,
                "monthly on the last day",
            ),
            (
                "FREQ=MONTHLY;BYMONTHDAY=1,15,-2",
                RepeatFrom::Due,
                "monthly on the 2nd to last day, 1st and 15th",
            ),
            (
                "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24",
                RepeatFrom::Due,
                "yearly on 24 December",
            ),
            (
                "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
                RepeatFrom::Due,
                "yearly on the fourth Thursday in November",
            ),
            (
                "FREQ=WEEKLY;COUNT=3",
                RepeatFrom::Due,
                "weekly, 3 times left",
            ),
            (
                "FREQ=WEEKLY;COUNT=1",
                RepeatFrom::Due,
                "weekly, this is the last time",
            ),
            (
                "FREQ=DAILY;UNTIL=20271231",
                RepeatFrom::Due,
                "daily, until 31 Dec 2027",
            ),
        ] {
            assert_eq!(repeat(rule, from).words(), words, "{rule}");
        }
    }

    #[test]
    fn the_wall_clock_time_stays_across_daylight_saving_changes() {
        // Berlin moves its clocks on 29 March and 25 October 2026; New York
        // on 8 March and 1 November 2026.
        assert_eq!(
            series("FREQ=DAILY", "2026-03-28 09:00", 2),
            ["2026-03-29 09:00", "2026-03-30 09:00"]
        );
        assert_eq!(
            series("FREQ=WEEKLY", "2026-10-20 18:30", 2),
            ["2026-10-27 18:30", "2026-11-03 18:30"]
        );
        let new_york = TimeZone::parse("America/New_York").unwrap();
        let weekly = repeat("FREQ=WEEKLY", RepeatFrom::Due);
        let (next, _) = weekly
            .next(due("2026-03-02 09:00"), Utc::now(), new_york)
            .unwrap();
        assert_eq!(next, due("2026-03-09 09:00"));
        assert_eq!(next.to_rfc3339(new_york), "2026-03-09T09:00:00-04:00");
        let (next, _) = weekly
            .next(due("2026-10-26 09:00"), Utc::now(), new_york)
            .unwrap();
        assert_eq!(next.to_rfc3339(new_york), "2026-11-02T09:00:00-05:00");
    }

    #[test]
    fn month_ends_and_numbered_weekdays_land_on_the_right_days() {
        // The last day of February, in a common and a leap year.
        assert_eq!(
            series("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31", 3),
            ["2027-02-28", "2027-03-31", "2027-04-30"]
        );
        assert_eq!(
            series("FREQ=MONTHLY;BYMONTHDAY=-1", "2028-01-31", 1),
            ["2028-02-29"]
        );
        // RFC 5545: a month without the day is skipped, not shortened.
        assert_eq!(
            series("FREQ=MONTHLY", "2027-01-31", 2),
            ["2027-03-31", "2027-05-31"]
        );
        assert_eq!(
            series("FREQ=MONTHLY;BYDAY=-1FR", "2026-12-25", 3),
            ["2027-01-29", "2027-02-26", "2027-03-26"]
        );
        assert_eq!(
            series("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "2026-12-07", 4),
            ["2026-12-10", "2026-12-21", "2026-12-24", "2027-01-04"]
        );
        assert_eq!(
            series("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29", 1),
            ["2032-02-29"]
        );
        assert_eq!(
            series("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-12-04 08:00", 2),
            ["2026-12-07 08:00", "2026-12-08 08:00"]
        );
    }

    #[test]
    fn count_and_until_run_out() {
        assert_eq!(
            series("FREQ=DAILY;COUNT=3", "2026-12-01", 10),
            ["2026-12-02", "2026-12-03"]
        );
        let zone = TimeZone::UTC;
        let (_, carried) = repeat("FREQ=DAILY;COUNT=3", RepeatFrom::Due)
            .next(due("2026-12-01"), Utc::now(), zone)
            .unwrap();
        assert_eq!(carried.rule.to_string(), "FREQ=DAILY;COUNT=2");
        assert_eq!(
            series("FREQ=WEEKLY;UNTIL=20261215", "2026-12-01", 10),
            ["2026-12-08", "2026-12-15"]
        );
        // An UNTIL in UTC is read in the user's zone: 08:00Z is 09:00 in Berlin.
        assert_eq!(
            series("FREQ=DAILY;UNTIL=20261203T080000Z", "2026-12-01 09:00", 10),
            ["2026-12-02 09:00", "2026-12-03 09:00"]
        );
        assert_eq!(series("FREQ=DAILY", "9999-12-31", 1), Vec::<String>::new());
    }

    #[test]
    fn from_completion_counts_from_the_day_it_was_done_in_the_users_zone() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let every_3_days = repeat("FREQ=DAILY;INTERVAL=3", RepeatFrom::Completion);
        // Done late on 10 December in Berlin (already the 10th there), due long before.
        let done_at = DateTime::parse_from_rfc3339("2026-12-09T23:30:00Z")
            .unwrap()
            .to_utc();
        let (next, _) = every_3_days
            .next(due("2026-11-01 18:00"), done_at, berlin)
            .unwrap();
        assert_eq!(next, due("2026-12-13 18:00"));
        let (from_due, _) = repeat("FREQ=DAILY;INTERVAL=3", RepeatFrom::Due)
            .next(due("2026-11-01 18:00"), done_at, berlin)
            .unwrap();
        assert_eq!(from_due, due("2026-11-04 18:00"));
    }

    #[test]
    fn a_repeat_needs_a_due_date_and_a_rule_that_occurs() {
        let error = Repeat::parse("FREQ=DAILY", "due", None).unwrap_err();
        assert!(error.to_string().contains("needs a due date"), "{error}");
        let never = Repeat::parse(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "due",
            Some(due("2026-12-01")),
        );
        assert!(never.unwrap_err().to_string().contains("no date after"));
        let error = Repeat::parse("FREQ=DAILY", "whenever", Some(due("2026-12-01"))).unwrap_err();
        assert_eq!(error.field(), Some("repeat"));
        assert!(Repeat::parse("FREQ=DAILY", "completion", Some(due("2026-12-01"))).is_ok());
    }

    proptest::proptest! {
        /// Any text either is refused or reads back as itself once written.
        #[test]
        fn a_rule_written_out_reads_back_the_same(text in "(?i)(RRULE:)?(FREQ|INTERVAL|BYDAY|BYMONTHDAY|BYMONTH|COUNT|UNTIL|WKST)=[-+0-9A-Z,]{0,12}(;(FREQ|INTERVAL|BYDAY|BYMONTHDAY|BYMONTH|COUNT|UNTIL)=[-+0-9A-Z,]{0,12}){0,5}") {
            if let Ok(rule) = Rule::parse(&text) {
                proptest::prop_assert_eq!(Rule::parse(&rule.to_string()).unwrap(), rule);
            }
        }

        /// The next occurrence is always later, never past the year 9999,
        /// and keeps the time of day.
        #[test]
        fn the_next_occurrence_is_later_and_keeps_its_time(
            frequency in 0u8..4,
            interval in 1u16..=MAX_INTERVAL,
            days in proptest::collection::vec((-5i8..=5, 0u8..7), 0..4),
            month_days in proptest::collection::vec(-31i8..=31, 0..3),
            months in proptest::collection::vec(1u8..=12, 0..3),
            day_number in 0i32..3_000_000,
            minutes in proptest::option::of(0u32..1440),
        ) {
            let mut text = format!("FREQ={}", ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"][usize::from(frequency)]);
            text.push_str(&format!(";INTERVAL={interval}"));
            let mut by_day: Vec<String> = days.iter().map(|(nth, day)| {
                let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][usize::from(*day)];
                if *nth == 0 { code.to_owned() } else { format!("{nth}{code}") }
            }).collect();
            by_day.dedup();
            if !by_day.is_empty() { text.push_str(&format!(";BYDAY={}", by_day.join(","))); }
            if !month_days.is_empty() { text.push_str(&format!(";BYMONTHDAY={}", month_days.iter().map(i8::to_string).collect::<Vec<_>>().join(","))); }
            if !months.is_empty() { text.push_str(&format!(";BYMONTH={}", months.iter().map(u8::to_string).collect::<Vec<_>>().join(","))); }
            let Ok(rule) = Rule::parse(&text) else { return Ok(()) };
            let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(day_number as u64);
            let time = minutes.map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap());
            let current = Due { date, time };
            let repeat = Repeat { rule, from: RepeatFrom::Due };
            if let Some((next, carried)) = repeat.next(current, Utc::now(), TimeZone::UTC) {
                proptest::prop_assert!(next.wall_clock() > current.wall_clock());
                proptest::prop_assert!(next.date.year() <= LAST_YEAR);
                proptest::prop_assert_eq!(next.time, time);
                proptest::prop_assert_eq!(carried.rule, repeat.rule);
            }
        }
    }
}
