//! Quick add's reading of what people type into the new-todo field (and
//! `POST /api/v1/todos/parse`): the input is the text, after one byte that
//! picks the locale's date order. Whatever the text, reading it never
//! panics, each part it recognises covers exactly the text it says, in
//! order and without overlap, a text with parts keeps a title, and the
//! repeat it finds is a rule the repeat reader accepts.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use taskward::todos::{
    quick_add::{Context, DateOrder, read},
    repeat::Rule,
};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let order = if pick & 1 == 0 { DateOrder::DayFirst } else { DateOrder::MonthFirst };
    let lists = vec!["Inbox".to_owned(), "Home".to_owned(), "Ünïcødé".to_owned()];
    let today = NaiveDate::from_ymd_opt(2026, 12, 5).expect("a date");
    let Ok(read) = read(text, Context { today, order, lists: &lists }) else {
        return;
    };
    let chars: Vec<char> = text.chars().collect();
    let mut last_end = 0;
    for part in &read.parts {
        assert!(part.start >= last_end && part.start < part.end && part.end <= chars.len());
        let covered: String = chars[part.start..part.end].iter().collect();
        assert_eq!(covered, part.text);
        last_end = part.end;
    }
    assert!(read.parts.is_empty() || !read.title.trim().is_empty());
    if let Some(rule) = &read.repeat {
        assert!(Rule::parse(rule).is_ok(), "{rule}");
    }
});
