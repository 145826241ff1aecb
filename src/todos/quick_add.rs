//! Quick add: what people type into the new-todo field, read for a due
//! date, a time, a repeat, a priority and a list. "Pay rent every month on
//! the 1st at 9am !high #Home" is the title "Pay rent", due on the next
//! 1st at 09:00, repeating monthly on the 1st, high priority, in Home.
//!
//! A small grammar over words, not a date library: each phrase below is
//! recognised where it stands, once, and taken out of the title; the rest
//! of the text is the title as typed. What is recognised is reported with
//! its place in the text, so a page can show it and a person can undo any
//! part ("Buy tickets for Friday" may stay a title).
//!
//! - dates: `today`, `tomorrow`, a weekday (`fri`, `friday`: the next one,
//!   today included), `next week` (next Monday), `in 3 days|weeks`,
//!   `24 dec`, `dec 24`, `12/24` (month first or day first, as the
//!   caller's locale orders them), `2026-12-24`; each may follow `on`;
//! - times: `9am`, `9:30pm`, `17:30`, `noon`, `midnight`, each may follow
//!   `at`;
//! - repeats: `every day|weekday|week|month|year`, `every monday`,
//!   `every 2 days|weeks|months|years`, `every month on the 15th`;
//! - `!high`, `!medium`, `!low`; `#List` for one of the user's lists (a
//!   name of one word).
//!
//! Work is linear in the text: at most [`MAX_QUICK_ADD_CHARS`] characters,
//! split once into words, each looked at a bounded number of times.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, Weekday};

use super::{MAX_TITLE_CHARS, Priority};
use crate::error::AppError;

/// The longest text read, in characters: a title's limit.
pub const MAX_QUICK_ADD_CHARS: usize = MAX_TITLE_CHARS;

/// How a locale writes a numeric date such as `12/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `12/24`: month, then day (United States).
    MonthFirst,
    /// `24/12`: day, then month (most of the world).
    DayFirst,
}

impl DateOrder {
    /// From a request's `Accept-Language` (see [`Self::from_accept_language`]).
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        Self::from_accept_language(
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok()),
        )
    }

    /// From an `Accept-Language` header: month first for US English (and
    /// the few others that write it so), day first otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let first = header
            .unwrap_or_default()
            .split(',')
            .next()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match first.as_str() {
            "en-us" | "en-ph" | "en-ca" | "es-us" => DateOrder::MonthFirst,
            _ => DateOrder::DayFirst,
        }
    }
}

/// What kind of part of the text was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    Date,
    Time,
    Repeat,
    Priority,
    List,
}

impl PartKind {
    pub const ALL: [PartKind; 5] = [
        PartKind::Date,
        PartKind::Time,
        PartKind::Repeat,
        PartKind::Priority,
        PartKind::List,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartKind::Date => "date",
            PartKind::Time => "time",
            PartKind::Repeat => "repeat",
            PartKind::Priority => "priority",
            PartKind::List => "list",
        }
    }

    /// The kinds a form's `leave` names (`date,time`); unknown words are
    /// passed over, and at most one of each kind is kept, so the list is
    /// bounded whatever is sent.
    pub fn list_from(text: &str) -> Vec<PartKind> {
        PartKind::ALL
            .into_iter()
            .filter(|kind| text.split(',').any(|word| word.trim() == kind.as_str()))
            .collect()
    }
}

/// A recognised part: what it is and where it stands in the text (in
/// characters, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Part {
    pub kind: PartKind,
    /// The words as typed.
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// The text read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickAdd {
    /// What is left: the title.
    pub title: String,
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    /// An RFC 5545 rule, checked by [`super::repeat::Rule::parse`] later.
    pub repeat: Option<String>,
    pub priority: Option<Priority>,
    /// The name of the user's list that `#Name` named.
    pub list: Option<String>,
    pub parts: Vec<Part>,
}

impl QuickAdd {
    /// A text read as nothing but a title.
    fn titled(title: String) -> Self {
        QuickAdd {
            title,
            date: None,
            time: None,
            repeat: None,
            priority: None,
            list: None,
            parts: Vec::new(),
        }
    }
}

/// One word of the text and where it stands, in characters.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A weekday's name, or a short form that is not also an everyday word
/// ("sun", "sat" and "wed" are not read: "buy sun cream").
fn weekday(word: &str) -> Option<Weekday> {
    match word.to_ascii_lowercase().as_str() {
        "monday" | "mon" => Some(Weekday::Mon),
        "tuesday" | "tue" | "tues" => Some(Weekday::Tue),
        "wednesday" => Some(Weekday::Wed),
        "thursday" | "thu" | "thur" | "thurs" => Some(Weekday::Thu),
        "friday" | "fri" => Some(Weekday::Fri),
        "saturday" => Some(Weekday::Sat),
        "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

fn month(word: &str) -> Option<u32> {
    let word = word.to_ascii_lowercase();
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.');
    MONTHS
        .iter()
        .zip(full)
        .position(|(short, long)| {
            word == *short || word == long || (word == "sept" && *short == "sep")
        })
        .map(|index| index as u32 + 1)
}

/// A small whole number as people type one: digits, at most 3 of them.
fn small_number(word: &str) -> Option<u32> {
    (!word.is_empty() && word.len() <= 3 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// `1st`, `2nd`, `15th`, `15`: a day of the month.
fn month_day(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .unwrap_or(&lower);
    small_number(digits).filter(|day| (1..=31).contains(day))
}

fn time(word: &str) -> Option<NaiveTime> {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "noon" | "midday" => return NaiveTime::from_hms_opt(12, 0, 0),
        "midnight" => return NaiveTime::from_hms_opt(0, 0, 0),
        _ => {}
    }
    let (clock, meridiem) = if let Some(clock) = lower.strip_suffix("am") {
        (clock, Some(false))
    } else if let Some(clock) = lower.strip_suffix("pm") {
        (clock, Some(true))
    } else {
        (lower.as_str(), None)
    };
    let (hour, minute) = match clock.split_once(':') {
        Some((hour, minute)) if minute.len() == 2 => (small_number(hour)?, small_number(minute)?),
        // A bare number is a time only with am or pm: "buy 2 apples".
        None if meridiem.is_some() => (small_number(clock)?, 0),
        _ => return None,
    };
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// The next `day` from `today`, today included.
fn next_weekday(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    today + Days::new(u64::from(ahead))
}

/// The next date with day of the month `day` from `today`, today included
/// (months too short for it are passed over).
fn next_month_day(today: NaiveDate, day: u32) -> Option<NaiveDate> {
    (0..=12).find_map(|months| {
        let month = today.with_day(1)?.checked_add_months(Months::new(months))?;
        month.with_day(day).filter(|date| *date >= today)
    })
}

/// The next `month`/`day` from `today`, today included.
fn next_date(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this_year {
        Some(date) if date >= today => Some(date),
        _ => (1..=4).find_map(|years| NaiveDate::from_ymd_opt(today.year() + years, month, day)),
    }
}

/// What a run of words at one place means, and how many words it takes.
enum Found {
    Date(NaiveDate),
    Time(NaiveTime),
    /// A rule, and the first date it falls on when no date is given.
    Repeat(String, Option<NaiveDate>),
    Priority(Priority),
    List(String),
}

/// Where the text is read: the user's today, how their locale orders a
/// numeric date, and the names of their lists (`#Name` names one of them,
/// whatever its case; any other `#word` stays in the title: "Fix bug #12").
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: NaiveDate,
    pub order: DateOrder,
    pub lists: &'a [String],
}

/// Reads the phrase that starts at `words[0]`, if one does.
fn phrase(words: &[Word<'_>], context: Context<'_>) -> Option<(Found, usize)> {
    let (today, order) = (context.today, context.order);
    let lower = |index: usize| words.get(index).map(|word| word.text.to_ascii_lowercase());
    let first = lower(0)?;
    // A connecting word counts with the phrase after it.
    if matches!(first.as_str(), "on" | "at" | "by" | "due")
        && let Some((found, taken)) = phrase(&words[1..], context)
        && matches!(found, Found::Date(_) | Found::Time(_))
    {
        return Some((found, taken + 1));
    }
    if let Some(level) = first.strip_prefix('!') {
        let priority = match level {
            "high" | "h" | "1" => Priority::High,
            "medium" | "m" | "2" => Priority::Medium,
            "low" | "l" | "3" => Priority::Low,
            _ => return None,
        };
        return Some((Found::Priority(priority), 1));
    }
    if let Some(name) = words[0].text.strip_prefix('#') {
        let list = context
            .lists
            .iter()
            .find(|list| list.to_lowercase() == name.to_lowercase())?;
        return Some((Found::List(list.clone()), 1));
    }
    match first.as_str() {
        "today" => return Some((Found::Date(today), 1)),
        "tomorrow" => return Some((Found::Date(today.succ_opt()?), 1)),
        "every" => return repeat(words, today),
        "next" if lower(1).as_deref() == Some("week") => {
            let monday = next_weekday(today.succ_opt()?, Weekday::Mon);
            return Some((Found::Date(monday), 2));
        }
        "in" => {
            let count = small_number(&lower(1)?)?;
            let date = match lower(2)?.trim_end_matches('s') {
                "day" => today.checked_add_days(Days::new(u64::from(count)))?,
                "week" => today.checked_add_days(Days::new(u64::from(count) * 7))?,
                "month" => today.checked_add_months(Months::new(count))?,
                _ => return None,
            };
            return Some((Found::Date(date), 3));
        }
        _ => {}
    }
    if let Some(day) = weekday(&first) {
        return Some((Found::Date(next_weekday(today, day)), 1));
    }
    if let Some(time) = time(&first) {
        return Some((Found::Time(time), 1));
    }
    if let Ok(date) = NaiveDate::parse_from_str(&first, "%Y-%m-%d") {
        return Some((Found::Date(date), 1));
    }
    // "24 dec", "dec 24", "12/24".
    if let (Some(day), Some(month)) = (month_day(&first), lower(1).as_deref().and_then(month)) {
        return Some((Found::Date(next_date(today, month, day)?), 2));
    }
    if let (Some(month), Some(day)) = (month(&first), lower(1).as_deref().and_then(month_day)) {
        return Some((Found::Date(next_date(today, month, day)?), 2));
    }
    if let Some((a, b)) = first.split_once('/') {
        let (a, b) = (small_number(a)?, small_number(b)?);
        let (month, day) = match order {
            DateOrder::MonthFirst => (a, b),
            DateOrder::DayFirst => (b, a),
        };
        return Some((Found::Date(next_date(today, month, day)?), 1));
    }
    None
}

/// `every …`: `words[0]` is "every".
fn repeat(words: &[Word<'_>], today: NaiveDate) -> Option<(Found, usize)> {
    let lower = |index: usize| words.get(index).map(|word| word.text.to_ascii_lowercase());
    let next = lower(1)?;
    let found = |rule: &str, first: Option<NaiveDate>, taken: usize| {
        Some((Found::Repeat(rule.to_owned(), first), taken))
    };
    match next.as_str() {
        "day" => return found("FREQ=DAILY", None, 2),
        "weekday" => {
            let mut first = today;
            while matches!(first.weekday(), Weekday::Sat | Weekday::Sun) {
                first = first.succ_opt()?;
            }
            return found("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", Some(first), 2);
        }
        "week" => return found("FREQ=WEEKLY", None, 2),
        "year" => return found("FREQ=YEARLY", None, 2),
        "month" => {
            // "every month on the 15th"
            if lower(2).as_deref() == Some("on") {
                let (day_word, taken) = match lower(3).as_deref() {
                    Some("the") => (lower(4), 5),
                    _ => (lower(3), 4),
                };
                if let Some(day) = day_word.as_deref().and_then(month_day) {
                    let rule = format!("FREQ=MONTHLY;BYMONTHDAY={day}");
                    return found(&rule, next_month_day(today, day), taken);
                }
            }
            return found("FREQ=MONTHLY", None, 2);
        }
        _ => {}
    }
    if let Some(day) = weekday(&next) {
        let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.num_days_from_monday() as usize];
        let rule = format!("FREQ=WEEKLY;BYDAY={code}");
        return found(&rule, Some(next_weekday(today, day)), 2);
    }
    let count = small_number(&next).filter(|count| (1..=999).contains(count))?;
    let frequency = match lower(2)?.trim_end_matches('s') {
        "day" => "DAILY",
        "week" => "WEEKLY",
        "month" => "MONTHLY",
        "year" => "YEARLY",
        _ => return None,
    };
    let rule = if count == 1 {
        format!("FREQ={frequency}")
    } else {
        format!("FREQ={frequency};INTERVAL={count}")
    };
    found(&rule, None, 3)
}

/// Reads `text` as typed, in `context`.
pub fn read(text: &str, context: Context<'_>) -> Result<QuickAdd, AppError> {
    read_leaving(text, context, &[])
}

/// Reads `text` as [`read`] does, leaving the phrases of the kinds in
/// `leave` in the title: the parts a person dismissed ("Buy tickets for
/// Friday" keeps "Friday").
pub fn read_leaving(
    text: &str,
    context: Context<'_>,
    leave: &[PartKind],
) -> Result<QuickAdd, AppError> {
    let today = context.today;
    crate::error::refuse_nul(text, "text")?;
    let chars = text.chars().count();
    if chars > MAX_QUICK_ADD_CHARS {
        return Err(AppError::Invalid(format!(
            "Keep it to {MAX_QUICK_ADD_CHARS} characters (this has {chars})."
        ))
        .in_field("text"));
    }
    let mut words = Vec::new();
    let mut start = None;
    for (index, c) in text.chars().chain(std::iter::once(' ')).enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(index),
            (true, Some(from)) => {
                words.push((from, index));
                start = None;
            }
            _ => {}
        }
    }
    // Byte offsets for slicing, character offsets for the parts.
    let byte_at: Vec<usize> = text
        .char_indices()
        .map(|(byte, _)| byte)
        .chain(std::iter::once(text.len()))
        .collect();
    let words: Vec<Word<'_>> = words
        .into_iter()
        .map(|(from, to)| Word {
            text: &text[byte_at[from]..byte_at[to]],
            start: from,
            end: to,
        })
        .collect();

    let mut read = QuickAdd::titled(String::new());
    let mut repeat_first = None;
    let mut kept: Vec<&str> = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let taken = phrase(&words[index..], context).and_then(|(found, taken)| {
            // Each kind once: a second date stays in the title.
            let (kind, slot_free) = match &found {
                Found::Date(_) => (PartKind::Date, read.date.is_none()),
                Found::Time(_) => (PartKind::Time, read.time.is_none()),
                Found::Repeat(..) => (PartKind::Repeat, read.repeat.is_none()),
                Found::Priority(_) => (PartKind::Priority, read.priority.is_none()),
                Found::List(_) => (PartKind::List, read.list.is_none()),
            };
            if !slot_free || leave.contains(&kind) {
                return None;
            }
            match found {
                Found::Date(date) => read.date = Some(date),
                Found::Time(time) => read.time = Some(time),
                Found::Repeat(rule, first) => {
                    read.repeat = Some(rule);
                    repeat_first = first;
                }
                Found::Priority(priority) => read.priority = Some(priority),
                Found::List(name) => read.list = Some(name),
            }
            Some((kind, taken))
        });
        match taken {
            Some((kind, taken)) => {
                let (first, last) = (words[index], words[index + taken - 1]);
                read.parts.push(Part {
                    kind,
                    text: text[byte_at[first.start]..byte_at[last.end]].to_owned(),
                    start: first.start,
                    end: last.end,
                });
                index += taken;
            }
            None => {
                kept.push(words[index].text);
                index += 1;
            }
        }
    }
    // Nothing left to call it: the text was all title after all.
    if kept.is_empty() {
        return Ok(QuickAdd::titled(text.trim().to_owned()));
    }
    read.title = kept.join(" ");
    if read.date.is_none() && (read.repeat.is_some() || read.time.is_some()) {
        read.date = Some(repeat_first.unwrap_or(today));
    }
    Ok(read)
}

/// Reads `text` for the user `user_id` on `today`: [`read`] with their
/// lists' names (looked up only when the text has a `#`), and the id of
/// the list `#Name` named.
pub async fn read_for(
    db: &crate::db::Db,
    user_id: uuid::Uuid,
    text: &str,
    today: NaiveDate,
    order: DateOrder,
    leave: &[PartKind],
) -> Result<(QuickAdd, Option<uuid::Uuid>), AppError> {
    let lists = if text.contains('#') {
        crate::lists::store::names(db, user_id).await?
    } else {
        Vec::new()
    };
    let names: Vec<String> = lists.iter().map(|(_, name)| name.clone()).collect();
    let read = read_leaving(
        text,
        Context {
            today,
            order,
            lists: &names,
        },
        leave,
    )?;
    let list_id = read
        .list
        .as_ref()
        .and_then(|name| lists.iter().find(|(_, list)| list == name))
        .map(|(id, _)| *id);
    Ok((read, list_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saturday 5 December 2026.
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    fn date(text: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
    }

    fn at(hour: u32, minute: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(hour, minute, 0)
    }

    #[test]
    fn a_dismissed_kind_stays_in_the_title_and_the_rest_is_still_read() {
        let context = Context {
            today: today(),
            order: DateOrder::DayFirst,
            lists: &[],
        };
        let read = read_leaving(
            "Buy tickets for Friday at 7pm !high",
            context,
            &[PartKind::Date],
        )
        .unwrap();
        assert_eq!(read.title, "Buy tickets for Friday");
        assert_eq!(read.time, at(19, 0));
        // A time without a date is today's.
        assert_eq!(read.date, date("2026-12-05"));
        assert_eq!(read.priority, Some(Priority::High));
        assert_eq!(
            PartKind::list_from("date,,nonsense, time,date"),
            [PartKind::Date, PartKind::Time]
        );
        assert!(PartKind::list_from(&"date,".repeat(10_000)).len() == 1);
    }

    /// A text, and the title, due date, time and rule it reads as.
    type Expected = (
        &'static str,
        &'static str,
        Option<NaiveDate>,
        Option<NaiveTime>,
        Option<&'static str>,
    );

    fn lists() -> Vec<String> {
        vec!["Inbox".to_owned(), "Home".to_owned()]
    }

    fn read_in(text: &str, order: DateOrder) -> Result<QuickAdd, AppError> {
        let lists = lists();
        read(
            text,
            Context {
                today: today(),
                order,
                lists: &lists,
            },
        )
    }

    #[test]
    fn phrases_people_type_read_as_dates_times_repeats_priorities_and_lists() {
        let table: &[Expected] = &[
            (
                "Pay rent every month on the 1st at 9am !high #Home",
                "Pay rent",
                date("2027-01-01"),
                at(9, 0),
                Some("FREQ=MONTHLY;BYMONTHDAY=1"),
            ),
            ("Call mum today", "Call mum", date("2026-12-05"), None, None),
            (
                "Dentist tomorrow 17:30",
                "Dentist",
                date("2026-12-06"),
                at(17, 30),
                None,
            ),
            (
                "Gym on friday at noon",
                "Gym",
                date("2026-12-11"),
                at(12, 0),
                None,
            ),
            ("Saturday market", "market", date("2026-12-05"), None, None),
            (
                "Plan trip next week",
                "Plan trip",
                date("2026-12-07"),
                None,
                None,
            ),
            (
                "Renew passport in 3 days",
                "Renew passport",
                date("2026-12-08"),
                None,
                None,
            ),
            (
                "Renew passport in 2 weeks",
                "Renew passport",
                date("2026-12-19"),
                None,
                None,
            ),
            (
                "Buy presents 24 dec",
                "Buy presents",
                date("2026-12-24"),
                None,
                None,
            ),
            (
                "Buy presents dec 24",
                "Buy presents",
                date("2026-12-24"),
                None,
                None,
            ),
            (
                "New year party 1 january 9pm",
                "New year party",
                date("2027-01-01"),
                at(21, 0),
                None,
            ),
            (
                "Tax return 2027-05-31",
                "Tax return",
                date("2027-05-31"),
                None,
                None,
            ),
            (
                "Water plants every day",
                "Water plants",
                date("2026-12-05"),
                None,
                Some("FREQ=DAILY"),
            ),
            (
                "Stand-up every weekday at 9:30am",
                "Stand-up",
                date("2026-12-07"),
                at(9, 30),
                Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            ),
            (
                "Bins every monday",
                "Bins",
                date("2026-12-07"),
                None,
                Some("FREQ=WEEKLY;BYDAY=MO"),
            ),
            (
                "Backup every 2 weeks",
                "Backup",
                date("2026-12-05"),
                None,
                Some("FREQ=WEEKLY;INTERVAL=2"),
            ),
            (
                "Review every month",
                "Review",
                date("2026-12-05"),
                None,
                Some("FREQ=MONTHLY"),
            ),
            (
                "Invoice every month on the 15th",
                "Invoice",
                date("2026-12-15"),
                None,
                Some("FREQ=MONTHLY;BYMONTHDAY=15"),
            ),
            (
                "Birthday every year 3 mar",
                "Birthday",
                date("2027-03-03"),
                None,
                Some("FREQ=YEARLY"),
            ),
            ("Buy 2 apples", "Buy 2 apples", None, None, None),
            ("Read chapter 12", "Read chapter 12", None, None, None),
        ];
        for (text, title, due_date, due_time, rule) in table {
            let read = read_in(text, DateOrder::DayFirst).unwrap();
            assert_eq!(read.title, *title, "{text}");
            assert_eq!(read.date, *due_date, "{text}");
            assert_eq!(read.time, *due_time, "{text}");
            assert_eq!(read.repeat.as_deref(), *rule, "{text}");
        }
        let rent = read_in(
            "Pay rent every month on the 1st at 9am !high #home",
            DateOrder::DayFirst,
        )
        .unwrap();
        assert_eq!(rent.priority, Some(Priority::High));
        assert_eq!(rent.list.as_deref(), Some("Home"));
        let kinds: Vec<PartKind> = rent.parts.iter().map(|part| part.kind).collect();
        assert_eq!(
            kinds,
            [
                PartKind::Repeat,
                PartKind::Time,
                PartKind::Priority,
                PartKind::List
            ]
        );
        assert_eq!(rent.parts[0].text, "every month on the 1st");
        assert_eq!((rent.parts[0].start, rent.parts[0].end), (9, 31));
    }

    #[test]
    fn numeric_dates_follow_the_locales_order() {
        let us = read_in("Pay bill 12/24", DateOrder::MonthFirst).unwrap();
        assert_eq!(us.date, date("2026-12-24"));
        let europe = read_in("Pay bill 24/12", DateOrder::DayFirst).unwrap();
        assert_eq!(europe.date, date("2026-12-24"));
        let past = read_in("Pay bill 1/2", DateOrder::DayFirst).unwrap();
        assert_eq!(
            past.date,
            date("2027-02-01"),
            "a day already passed is next year's"
        );
        let nonsense = read_in("Pay bill 31/31", DateOrder::DayFirst).unwrap();
        assert_eq!(
            (nonsense.title.as_str(), nonsense.date),
            ("Pay bill 31/31", None)
        );
        assert_eq!(
            DateOrder::from_accept_language(Some("en-US,en;q=0.9")),
            DateOrder::MonthFirst
        );
        assert_eq!(
            DateOrder::from_accept_language(Some("de-DE,de;q=0.9")),
            DateOrder::DayFirst
        );
        assert_eq!(DateOrder::from_accept_language(None), DateOrder::DayFirst);
    }

    #[test]
    fn only_the_first_of_each_kind_counts_and_a_bare_phrase_stays_the_title() {
        let twice = read_in("Call Bob tomorrow about Friday", DateOrder::DayFirst).unwrap();
        assert_eq!(twice.title, "Call Bob about Friday");
        assert_eq!(twice.date, date("2026-12-06"));
        let bare = read_in("Tomorrow", DateOrder::DayFirst).unwrap();
        assert_eq!((bare.title.as_str(), bare.date), ("Tomorrow", None));
        let unknown = read_in("Fix bug #12 !urgent #Work", DateOrder::DayFirst).unwrap();
        assert_eq!(unknown.list, None, "not one of the user's lists");
        assert_eq!(unknown.title, "Fix bug #12 !urgent #Work");
        let cream = read_in("Buy sun cream", DateOrder::DayFirst).unwrap();
        assert_eq!((cream.title.as_str(), cream.date), ("Buy sun cream", None));
        let error = read_in(&"a".repeat(501), DateOrder::DayFirst).unwrap_err();
        assert_eq!(error.field(), Some("text"));
    }

    proptest::proptest! {
        /// Whatever is typed: no panic, the parts are in order inside the
        /// text and say what they cover, and a title remains.
        #[test]
        fn any_text_reads_into_a_title_and_parts_that_cover_what_they_say(text in "(?s).{0,120}") {
            if let Ok(read) = read_in(&text, DateOrder::DayFirst) {
                let chars: Vec<char> = text.chars().collect();
                let mut last_end = 0;
                for part in &read.parts {
                    proptest::prop_assert!(part.start >= last_end && part.end <= chars.len());
                    let covered: String = chars[part.start..part.end].iter().collect();
                    proptest::prop_assert_eq!(&covered, &part.text);
                    last_end = part.end;
                }
                proptest::prop_assert!(read.parts.is_empty() || !read.title.is_empty());
            }
        }
    }
}
