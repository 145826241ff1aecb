//! Repeat rules as a client writes them (the API's `repeat.rule`, an
//! import's `repeat` column): the input is the rule text, after four bytes
//! that pick a due date and time. Whatever the text, reading it either
//! refuses it or gives a rule that writes back to itself, and the next
//! occurrence of a todo due then is always later, keeps its time of day,
//! and never passes the year 9999; a rule's COUNT only ever goes down.
#![no_main]

use chrono::{Datelike, NaiveDate, NaiveTime, Utc};
use libfuzzer_sys::fuzz_target;
use taskward::{
    calendar::{Due, TimeZone},
    todos::{
        RepeatFrom,
        repeat::{End, Repeat, Rule},
    },
};

fuzz_target!(|data: &[u8]| {
    let Some((head, text)) = data.split_first_chunk::<4>() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(rule) = Rule::parse(text) else {
        return;
    };
    let written = rule.to_string();
    assert_eq!(Rule::parse(&written).ok().as_ref(), Some(&rule), "{written}");

    // A day from 1900 to about 2079, and a time in minutes or none.
    let days = u64::from(u16::from_le_bytes([head[0], head[1]]));
    let date = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date") + chrono::Days::new(days);
    let minutes = u32::from(u16::from_le_bytes([head[2], head[3]]));
    let time = (minutes < 1440).then(|| NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0))
        .flatten();
    let due = Due { date, time };
    let from = if head[3] & 0x80 == 0 { RepeatFrom::Due } else { RepeatFrom::Completion };
    let repeat = Repeat { rule, from };
    let _ = repeat.fits(Some(due));
    let _ = repeat.words();
    if let Some((next, carried)) = repeat.next(due, Utc::now(), TimeZone::UTC) {
        assert_eq!(next.time, time, "the time of day is kept");
        assert!(next.date.year() <= 9999);
        if from == RepeatFrom::Due {
            assert!(next.wall_clock() > due.wall_clock(), "{written}: {next:?} after {due:?}");
        }
        if let Some(End::Count(left)) = repeat.rule.end {
            assert_eq!(carried.rule.end, Some(End::Count(left - 1)));
        }
    }
});
