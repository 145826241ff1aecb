//! The calendar feed: a user's open todos that have a due date, as an
//! iCalendar file (RFC 5545) a calendar app subscribes to. One `VTODO`
//! each, with its due date on the user's wall clock (`TZID` and a
//! `VTIMEZONE` for it, or a plain date), its repeat as an `RRULE`, and its
//! reminders as `VALARM`s. The file is written from the rows alone, with
//! no clock, so the same todos give the same bytes and the same `ETag`.

pub mod content;
pub mod zone;

use chrono::{DateTime, Months, NaiveTime, Utc};

use self::content::Lines;
use crate::{
    calendar::{Due, TimeZone},
    todos::{
        Priority,
        repeat::{End, Rule, Until},
        store::DatedTodo,
    },
};

/// The todos a feed holds at most: the soonest due. Calendar apps slow
/// down long before this, and the file stays a few megabytes at most.
pub const MAX_FEED_TODOS: i64 = 2_000;
/// A note's characters a feed carries; a longer one is cut, with "…".
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// How often the file asks to be fetched again.
const REFRESH: &str = "PT30M";

/// What the file is written from.
pub struct FeedSource<'a> {
    pub todos: &'a [DatedTodo],
    /// The user's zone: every due time is on its wall clock.
    pub zone: TimeZone,
    /// When a todo due on a day without a time reminds, in minutes after
    /// midnight (the user's reminder time of day).
    pub day_minutes: u32,
    /// The instance's host, which makes each `UID` unique beyond it.
    pub host: &'a str,
}

/// The whole file.
pub fn render(source: &FeedSource<'_>) -> String {
    let mut lines = Lines::with_capacity(512 + source.todos.len() * 640);
    lines.raw("BEGIN", "VCALENDAR");
    lines.raw("VERSION", "2.0");
    lines.raw(
        "PRODID",
        concat!("-//Taskward//Taskward ", env!("CARGO_PKG_VERSION"), "//EN"),
    );
    lines.raw("CALSCALE", "GREGORIAN");
    lines.raw("METHOD", "PUBLISH");
    lines.text("NAME", "Taskward");
    lines.text("X-WR-CALNAME", "Taskward");
    lines.raw("REFRESH-INTERVAL;VALUE=DURATION", REFRESH);
    lines.raw("X-PUBLISHED-TTL", REFRESH);
    let zoned = source.zone != TimeZone::UTC;
    if zoned && let Some((from, to)) = zone_span(source) {
        zone::write(&mut lines, source.zone, from, to);
    }
    for todo in source.todos {
        write_todo(&mut lines, source, todo);
    }
    lines.raw("END", "VCALENDAR");
    lines.finish()
}

/// The instants the `VTIMEZONE` covers: from the day before the first due
/// date to two years after the last (repeats run on), at most 50 years.
fn zone_span(source: &FeedSource<'_>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let dates = source.todos.iter().filter_map(|todo| todo.todo.due_date);
    let first = dates.clone().min()?;
    let last = dates.max()?;
    let to = last.checked_add_months(Months::new(24)).unwrap_or(last);
    let from = first
        .pred_opt()
        .unwrap_or(first)
        .max(to.checked_sub_months(Months::new(50 * 12)).unwrap_or(first));
    let instant = |date: chrono::NaiveDate| date.and_time(NaiveTime::MIN).and_utc();
    Some((instant(from), instant(to)))
}

fn write_todo(lines: &mut Lines, source: &FeedSource<'_>, dated: &DatedTodo) {
    let todo = &dated.todo;
    let Some(due) = todo.due() else {
        return;
    };
    lines.raw("BEGIN", "VTODO");
    lines.raw("UID", &format!("{}@{}", todo.id, source.host));
    lines.raw("DTSTAMP", &utc(todo.updated_at));
    lines.raw("CREATED", &utc(todo.created_at));
    lines.raw("LAST-MODIFIED", &utc(todo.updated_at));
    lines.text("SUMMARY", &todo.title);
    if !todo.notes.trim().is_empty() {
        lines.text("DESCRIPTION", &cut(&todo.notes, MAX_DESCRIPTION_CHARS));
    }
    lines.text("CATEGORIES", &dated.list_name);
    if let Some(level) = priority(todo.priority()) {
        lines.raw("PRIORITY", level);
    }
    lines.raw("STATUS", "NEEDS-ACTION");
    let (property, value) = due_value(due, source.zone);
    if let Some(repeat) = todo.repeat() {
        // A repeat counts from DTSTART, which RFC 5545 asks for with an
        // RRULE: the due date itself.
        lines.raw(&format!("DTSTART{property}"), &value);
        lines.raw("RRULE", &rule_for_feed(&repeat.rule, due, source.zone));
    }
    lines.raw(&format!("DUE{property}"), &value);
    for &before in todo.reminders().minutes() {
        lines.raw("BEGIN", "VALARM");
        lines.raw("ACTION", "DISPLAY");
        lines.text("DESCRIPTION", &todo.title);
        let trigger = match due.time {
            Some(_) => -i64::from(before),
            // A date's reminders count back from the user's time of day on it.
            None => i64::from(source.day_minutes) - i64::from(before),
        };
        lines.raw("TRIGGER;RELATED=END", &duration(trigger));
        lines.raw("END", "VALARM");
    }
    lines.raw("END", "VTODO");
}

/// A due date's parameters and value: a date; a wall-clock time in the
/// user's zone; or, for a user on UTC, a UTC time.
fn due_value(due: Due, zone: TimeZone) -> (String, String) {
    match due.time {
        None => (";VALUE=DATE".into(), due.date.format("%Y%m%d").to_string()),
        Some(_) if zone == TimeZone::UTC => (
            String::new(),
            format!("{}Z", due.wall_clock().format("%Y%m%dT%H%M%S")),
        ),
        Some(_) => (
            format!(";TZID={}", zone.name()),
            due.wall_clock().format("%Y%m%dT%H%M%S").to_string(),
        ),
    }
}

/// The rule as the feed writes it: RFC 5545 wants `UNTIL` of DTSTART's
/// kind (a date for a date, UTC for a time), while a todo's rule may keep
/// it as the user wrote it.
fn rule_for_feed(rule: &Rule, due: Due, zone: TimeZone) -> String {
    let Some(End::Until(until)) = rule.end else {
        return rule.to_string();
    };
    let last_second = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    let until = match (due.time, until) {
        (None, Until::Date(date)) => Until::Date(date),
        (None, Until::Local(local)) => Until::Date(local.date()),
        (None, Until::Utc(instant)) => Until::Date(zone.local_at(instant.and_utc()).date()),
        (Some(_), Until::Date(date)) => {
            Until::Utc(zone.utc_of(date.and_time(last_second)).naive_utc())
        }
        (Some(_), Until::Local(local)) => Until::Utc(zone.utc_of(local).naive_utc()),
        (Some(_), Until::Utc(instant)) => Until::Utc(instant),
    };
    Rule {
        end: Some(End::Until(until)),
        ..rule.clone()
    }
    .to_string()
}

fn priority(priority: Priority) -> Option<&'static str> {
    match priority {
        Priority::High => Some("1"),
        Priority::Medium => Some("5"),
        Priority::Low => Some("9"),
        Priority::None => None,
    }
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545's DURATION for a signed number of minutes, in the largest
/// whole unit: `-PT15M`, `-PT1H`, `-P1D`, `PT9H`, `PT0S`.
pub fn duration(minutes: i64) -> String {
    if minutes == 0 {
        return "PT0S".into();
    }
    let sign = if minutes < 0 { "-" } else { "" };
    let minutes = minutes.unsigned_abs();
    if minutes.is_multiple_of(24 * 60) {
        format!("{sign}P{}D", minutes / (24 * 60))
    } else if minutes.is_multiple_of(60) {
        format!("{sign}PT{}H", minutes / 60)
    } else {
        format!("{sign}PT{minutes}M")
    }
}

/// `text` cut to `limit` characters, "…" marking the cut.
fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// The feed's `ETag`: the file's SHA-256 (its first 128 bits), quoted.
pub fn etag(body: &str) -> String {
    format!("\"{}\"", &crate::digest::sha256_hex(body)[..32])
}

/// Whether an `If-None-Match` header names `etag` (or `*`): the client's
/// copy is current. Weak tags compare by their value.
pub fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(duration(0), "PT0S");
        assert_eq!(duration(-15), "-PT15M");
        assert_eq!(duration(-60), "-PT1H");
        assert_eq!(duration(-90), "-PT90M");
        assert_eq!(duration(-2880), "-P2D");
        assert_eq!(duration(540), "PT9H");
        assert_eq!(duration(540 - 1440), "-PT15H");
    }

    #[test]
    fn a_long_note_is_cut_at_a_character() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("äöüß", 2), "äö…");
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_are_read() {
        let tag = "\"abc\"";
        assert!(matches_etag("\"abc\"", tag));
        assert!(matches_etag("\"x\", W/\"abc\"", tag));
        assert!(matches_etag("*", tag));
        assert!(!matches_etag("\"abcd\"", tag));
        assert!(!matches_etag("", tag));
    }
}
