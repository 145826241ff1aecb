//! What the calendar feed reads from outside, and the text it writes: a
//! requested file name (is it a feed's secret?), an `If-None-Match`
//! header, and a todo's title or note written as an iCalendar TEXT value.
//! Whatever the bytes: no panic; a secret read from a name is 43 URL-safe
//! characters; every written line is at most 75 octets with no bare line
//! break, and unfolding it gives back the property whole; and any zone's
//! changes over a span read from the bytes come in order.
#![no_main]

use chrono::{DateTime, TimeDelta};
use libfuzzer_sys::fuzz_target;
use taskward::{
    auth::calendar_feed::FeedSecret,
    calendar::{TimeZone, time_zone_names},
    ical::{
        content::{Lines, MAX_LINE_OCTETS, escape_text},
        matches_etag,
    },
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(secret) = FeedSecret::from_file_name(&text) {
        let secret = secret.expose();
        assert_eq!(secret.len(), 43);
        assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
    let _ = matches_etag(&text, "\"0123456789abcdef0123456789abcdef\"");

    let mut lines = Lines::default();
    lines.text("DESCRIPTION", &text);
    lines.raw("UID", "x");
    let file = lines.finish();
    for line in file.split("\r\n") {
        assert!(line.len() <= MAX_LINE_OCTETS, "{} octets", line.len());
        assert!(!line.contains('\r') && !line.contains('\n'));
    }
    let unfolded = file.replace("\r\n ", "");
    let mut properties = unfolded.split("\r\n").filter(|line| !line.is_empty());
    assert_eq!(
        properties.next(),
        Some(format!("DESCRIPTION:{}", escape_text(&text)).as_str())
    );
    assert_eq!(properties.next(), Some("UID:x"));
    assert_eq!(properties.next(), None);

    // A zone and a span of up to two years, from the first bytes.
    if data.len() >= 6 {
        let names = time_zone_names();
        let zone = TimeZone::parse(names[usize::from(data[0]) * 7 % names.len()]).unwrap();
        let start = i64::from(u32::from_le_bytes([data[1], data[2], data[3], data[4]]));
        let from = DateTime::from_timestamp(start, 0).unwrap();
        let to = from + TimeDelta::days(i64::from(data[5]) * 3);
        let changes = zone.changes_between(from, to);
        assert!(changes.windows(2).all(|pair| pair[0].at < pair[1].at));
        for change in changes {
            assert!(change.at > from && change.at <= to);
            assert_ne!(change.before, change.after);
        }
    }
});
