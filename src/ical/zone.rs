//! A `VTIMEZONE` for the user's zone (RFC 5545 §3.6.5): the offsets it
//! has over the span a feed's dates fall in, one observance per change,
//! read off the tz database compiled into the binary. Calendar apps that
//! know the IANA name use their own rules; this is for those that do not.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use super::content::Lines;
use crate::calendar::{TimeZone, ZoneOffset};

/// Writes the zone's `VTIMEZONE`, with the offset in force at `from` and
/// every change up to `to`.
pub fn write(lines: &mut Lines, zone: TimeZone, from: DateTime<Utc>, to: DateTime<Utc>) {
    lines.raw("BEGIN", "VTIMEZONE");
    lines.raw("TZID", zone.name());
    let first = zone.offset_at(from);
    observance(lines, &first, &first, wall_clock(from, &first));
    for change in zone.changes_between(from, to) {
        // An onset is written on the clock that ran until then.
        observance(
            lines,
            &change.before,
            &change.after,
            wall_clock(change.at, &change.before),
        );
    }
    lines.raw("END", "VTIMEZONE");
}

fn observance(lines: &mut Lines, before: &ZoneOffset, after: &ZoneOffset, onset: NaiveDateTime) {
    let kind = if after.daylight {
        "DAYLIGHT"
    } else {
        "STANDARD"
    };
    lines.raw("BEGIN", kind);
    lines.raw("DTSTART", &onset.format("%Y%m%dT%H%M%S").to_string());
    lines.raw("TZOFFSETFROM", &utc_offset(before.seconds));
    lines.raw("TZOFFSETTO", &utc_offset(after.seconds));
    if !after.name.is_empty() {
        lines.text("TZNAME", &after.name);
    }
    lines.raw("END", kind);
}

fn wall_clock(instant: DateTime<Utc>, offset: &ZoneOffset) -> NaiveDateTime {
    instant.naive_utc() + TimeDelta::seconds(i64::from(offset.seconds))
}

/// RFC 5545's UTC-OFFSET: `+0100`, `-0330`, and seconds only when there
/// are some (`+005328`, Amsterdam before 1937).
pub fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if rest == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn offsets_are_written_as_the_rfc_shows() {
        assert_eq!(utc_offset(3600), "+0100");
        assert_eq!(utc_offset(-12_600), "-0330");
        assert_eq!(utc_offset(0), "+0000");
        assert_eq!(utc_offset(1172), "+001932");
    }

    #[test]
    fn berlin_in_2026_changes_on_the_last_sundays_of_march_and_october() {
        let zone = TimeZone::parse("Europe/Berlin").unwrap();
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let mut lines = Lines::default();
        write(&mut lines, zone, from, to);
        let file = lines.finish();
        let expected = [
            "BEGIN:STANDARD",
            "DTSTART:20260101T010000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:20260329T020000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "TZNAME:CEST",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "DTSTART:20261025T030000",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "END:STANDARD",
        ]
        .join("\r\n");
        assert!(file.contains(&expected), "{file}");
        assert_eq!(file.matches("BEGIN:DAYLIGHT").count(), 1);
    }

    #[test]
    fn lord_howe_moves_by_half_an_hour() {
        let zone = TimeZone::parse("Australia/Lord_Howe").unwrap();
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let changes = zone.changes_between(from, to);
        assert_eq!(changes.len(), 2, "{changes:?}");
        for change in changes {
            assert_eq!((change.before.seconds - change.after.seconds).abs(), 1800);
        }
    }
}
