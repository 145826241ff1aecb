//! Reading a CSV file of todos: a first line naming the columns (`title`
//! required; `list`, `due`, `priority`, `notes`, `completed`, `repeat`, `repeat_from`
//! optional, in any order and case; others reported as not read), then one todo per
//! record. Quoted fields may hold commas, quotes and line breaks; a
//! byte-order mark and Windows line ends are fine. Every problem is
//! reported with the line it is on.
//!
//! Cells that a spreadsheet would run as a formula are written with a `'`
//! in front ([`neutralise_formula`]) and read back without it
//! ([`restore_formula`]), so an export imports exactly.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use csv::ByteRecord;

use super::import::{ListTarget, Plan, PlannedLists, PlannedTodo, Problems, too_many_todos};
use super::{ImportRefusal, MAX_CSV_COLUMNS, excerpt, quoted};
use crate::{
    calendar::{Due, TimeZone},
    reminders::Reminders,
    todos::{Notes, Priority, TodoLimit, TodoTitle, repeat::Repeat},
};

/// The columns read, and the other names each goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Title,
    List,
    Due,
    Priority,
    Notes,
    Completed,
    Repeat,
    RepeatFrom,
    Reminders,
}

/// How many columns an import reads (the last of [`Column`], plus one).
const COLUMNS_READ: usize = Column::Reminders as usize + 1;

impl Column {
    fn named(name: &str) -> Option<Self> {
        Some(
            match name.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
                "title" | "name" | "task" | "todo" => Column::Title,
                "list" | "project" => Column::List,
                "due" | "due_date" | "due_at" => Column::Due,
                "priority" => Column::Priority,
                "notes" | "note" | "description" => Column::Notes,
                "completed" | "done" => Column::Completed,
                "repeat" | "rrule" | "recurrence" => Column::Repeat,
                "repeat_from" => Column::RepeatFrom,
                "reminders" | "reminder" => Column::Reminders,
                _ => return None,
            },
        )
    }
}

/// What the `completed` column may say.
fn completed(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "false" | "no" | "n" | "0" => Some(false),
        "true" | "yes" | "y" | "1" | "x" | "done" => Some(true),
        _ => None,
    }
}

/// A due date as spreadsheets and Taskward write it: `2026-12-24`,
/// `2026-12-24 15:00` (the account's wall clock), or anything the JSON API
/// takes (`2026-12-24T15:00:00+01:00`).
fn due(text: &str, zone: TimeZone) -> Option<Due> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Due::parse(&local.format("%Y-%m-%dT%H:%M:%S").to_string(), zone).ok();
        }
    }
    Due::parse(text, zone).ok()
}

/// Whether a spreadsheet app runs a cell starting with `text` as a formula
/// (OWASP's list: `=`, `+`, `-`, `@`, a tab or a carriage return).
fn starts_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `cell` as the CSV export writes it: one `'` in front when it starts
/// with a formula character after any number of `'`s, so a spreadsheet
/// shows it as text (OWASP's advice against CSV injection).
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if starts_formula(cell.trim_start_matches('\'')) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise_formula`]: one `'` taken off a cell of
/// `'`s then a formula character, every other cell as it is.
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_formula(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

/// What a line holding U+0000 is told: PostgreSQL cannot store it, so
/// both databases refuse it alike.
const HOLDS_NUL: &str = "holds the character U+0000, which Taskward cannot store; remove it";

/// What the first line says: the column of each value, and the names of
/// those not read (each cut to a short excerpt).
struct Header {
    columns: Vec<Option<Column>>,
    ignored: Vec<String>,
}

impl Header {
    fn read(record: &ByteRecord) -> Result<Self, ImportRefusal> {
        if record.as_slice().contains(&0) {
            return Err(ImportRefusal::file(format!(
                "The first line {HOLDS_NUL} and import the file again."
            )));
        }
        let mut columns: Vec<Option<Column>> = Vec::with_capacity(record.len());
        let mut ignored = Vec::new();
        for name in record {
            let Ok(name) = std::str::from_utf8(name) else {
                return Err(ImportRefusal::file(
                    "The file is not UTF-8 text. Save it as “CSV UTF-8” and import it again.",
                ));
            };
            let name = name.trim();
            let column = Column::named(name);
            if column.is_some() && columns.contains(&column) {
                return Err(ImportRefusal::file(format!(
                    "The first line names the column {} twice.",
                    quoted(name)
                )));
            }
            if column.is_none() && !name.is_empty() {
                ignored.push(excerpt(name));
            }
            columns.push(column);
        }
        if !columns.contains(&Some(Column::Title)) {
            let names: Vec<String> = record
                .iter()
                .map(|name| quoted(String::from_utf8_lossy(name).trim()))
                .collect();
            return Err(ImportRefusal::file(format!(
                "The first line must name the columns, one of them “title”; it says {}.",
                names.join(", ")
            )));
        }
        Ok(Self { columns, ignored })
    }
}

/// The line of the first record of `bytes` with more than `max` values,
/// split as the CSV reader splits them (RFC 4180 quotes; `\r`, `\n` or
/// `\r\n` end a record; blank lines skipped), in one pass that keeps
/// nothing. The reader holds a whole record, 8 bytes for each value, so a
/// line of millions of commas is refused before it is read.
fn first_record_wider_than(bytes: &[u8], max: usize) -> Option<u64> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        StartRecord,
        StartField,
        Unquoted,
        Quoted,
        /// A quote inside a quoted value: its end, or the first of `""`.
        QuoteInQuoted,
    }
    let (mut state, mut values, mut line, mut record_line) = (State::StartRecord, 0, 1, 1);
    for &byte in bytes {
        if state == State::StartRecord {
            if byte == b'\r' || byte == b'\n' {
                line += u64::from(byte == b'\n');
                continue;
            }
            (state, values, record_line) = (State::StartField, 0, line);
        }
        let ends_value = match (state, byte) {
            (State::Quoted, b'"') => {
                state = State::QuoteInQuoted;
                false
            }
            (State::Quoted, _) => false,
            (State::StartField, b'"') => {
                state = State::Quoted;
                false
            }
            (State::QuoteInQuoted, b'"') => {
                state = State::Quoted;
                false
            }
            (_, b',') => {
                state = State::StartField;
                true
            }
            (_, b'\r' | b'\n') => {
                state = State::StartRecord;
                true
            }
            _ => {
                state = State::Unquoted;
                false
            }
        };
        line += u64::from(byte == b'\n');
        if ends_value {
            values += 1;
            if values > max {
                return Some(record_line);
            }
        }
    }
    (state != State::StartRecord && values + 1 > max).then_some(record_line)
}

/// Plans a CSV file of todos; `zone` reads due times, `limit` is the most
/// todos an account keeps. Each cap stops the reading as soon as it is
/// passed.
pub fn plan(bytes: &[u8], zone: TimeZone, limit: TodoLimit) -> Result<Plan, ImportRefusal> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportRefusal::file(
            "The file is empty. A CSV import needs a first line naming the columns (at least \
             “title”), then one todo per line.",
        ));
    }
    if let Some(line) = first_record_wider_than(bytes, MAX_CSV_COLUMNS) {
        return Err(ImportRefusal::file(format!(
            "Line {line} has more than {MAX_CSV_COLUMNS} values; an import reads at most \
             {MAX_CSV_COLUMNS} columns. Keep “title” and the columns you need (list, due, \
             priority, notes, completed), delete the others, and put quotes around values \
             holding commas."
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => Header::read(&header)?,
        Some(Err(error)) => {
            return Err(ImportRefusal::file(format!(
                "The first line could not be read as CSV ({error})."
            )));
        }
        None => return Err(ImportRefusal::file("The file is empty.")),
    };

    let mut problems = Problems::default();
    let mut lists = PlannedLists::default();
    let mut todos: u64 = 0;
    for record in records {
        if problems.are_full() {
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line());
                problems.at_line(line, "it could not be read as CSV");
                continue;
            }
        };
        if record
            .iter()
            .all(|field| field.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        todos += 1;
        if todos > u64::from(limit.0) {
            return Err(too_many_todos(limit));
        }
        if let Some((target, todo)) = read_todo(&record, &header.columns, zone, &mut problems) {
            lists.list_for(target)?.todos.push(todo);
        }
    }
    problems.check()?;
    if lists.is_empty() {
        return Err(ImportRefusal::file(
            "The file names its columns but holds no todos: add one per line after the first.",
        ));
    }
    Ok(Plan {
        lists: lists.into_lists(),
        ignored_columns: header.ignored,
    })
}

/// The todo on one line after the first, and the list it goes to; `None`
/// (and its problems noted) when any of its values is wrong.
fn read_todo(
    record: &ByteRecord,
    columns: &[Option<Column>],
    zone: TimeZone,
    problems: &mut Problems,
) -> Option<(ListTarget, PlannedTodo)> {
    let line = record.position().map_or(0, |position| position.line());
    if record.len() > columns.len() {
        problems.at_line(
            line,
            format!(
                "it has {} values but the first line names {} columns (is a value with a \
                 comma missing its quotes?)",
                record.len(),
                columns.len()
            ),
        );
        return None;
    }
    if record.as_slice().contains(&0) {
        problems.at_line(line, format!("it {HOLDS_NUL}"));
        return None;
    }
    let mut fields = [""; COLUMNS_READ];
    for (value, column) in record.iter().zip(columns) {
        let Some(column) = column else { continue };
        let Ok(value) = std::str::from_utf8(value) else {
            problems.at_line(line, "it is not UTF-8 text; save the file as “CSV UTF-8”");
            return None;
        };
        fields[*column as usize] = restore_formula(value);
    }
    let field = |column: Column| fields[column as usize];

    let title = TodoTitle::parse(field(Column::Title))
        .map_err(|error| problems.at_line(line, error))
        .ok();
    let notes = Notes::parse(field(Column::Notes))
        .map_err(|error| problems.at_line(line, error))
        .ok();
    let due_text = field(Column::Due);
    let due = if due_text.trim().is_empty() {
        Some(None)
    } else {
        match due(due_text, zone) {
            Some(due) => Some(Some(due)),
            None => {
                problems.at_line(
                    line,
                    format!(
                        "the due date {} is not a date (use 2026-12-24, or 2026-12-24 15:00)",
                        quoted(due_text.trim())
                    ),
                );
                None
            }
        }
    };
    let priority_text = field(Column::Priority);
    let priority = Priority::parse(&priority_text.to_lowercase())
        .map_err(|_| {
            problems.at_line(
                line,
                format!(
                    "{} is not a priority (use none, low, medium or high)",
                    quoted(priority_text.trim())
                ),
            )
        })
        .ok();
    let completed_text = field(Column::Completed);
    let done = completed(completed_text);
    if done.is_none() {
        problems.at_line(
            line,
            format!(
                "“completed” says {}; use true or false (or yes, no, 1, 0, x)",
                quoted(completed_text.trim())
            ),
        );
    }
    let repeat_text = field(Column::Repeat);
    let repeat = match due {
        Some(due) if !repeat_text.trim().is_empty() => {
            Repeat::read(repeat_text, field(Column::RepeatFrom), due)
                .map(Some)
                .map_err(|error| problems.at_line(line, error))
                .ok()
        }
        _ => Some(None),
    };
    let reminders = Reminders::read_text(field(Column::Reminders))
        .map_err(|error| problems.at_line(line, error))
        .ok();
    let target = ListTarget::named(field(Column::List))
        .map_err(|error| problems.at_line(line, format!("the list name: {error}")))
        .ok();
    let todo = PlannedTodo {
        title: title?,
        notes: notes?,
        completed: done?,
        priority: priority?,
        due: due?,
        repeat: repeat?,
        reminders: reminders?,
        position: None,
        created_at: None,
        updated_at: None,
    };
    Some((target?, todo))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Whether a record is wider than `max`, as the CSV reader reads them.
    fn read_wider_than(bytes: &[u8], max: usize) -> bool {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        reader
            .byte_records()
            .any(|record| record.unwrap().len() > max)
    }

    #[test]
    fn a_record_counts_its_values_as_the_reader_splits_them() {
        for (csv, values) in [
            ("a,b,c", 3),
            ("\"a,b\",c", 2),
            ("\"a\"\"b,c\",d", 2),
            ("a\"b,c,d", 3),
            ("\"a\"b,c", 2),
            ("\r\n\r\na,b\r\n", 2),
            ("\"line\nbreak,\",x", 2),
            (",,", 3),
        ] {
            let bytes = csv.as_bytes();
            assert_eq!(first_record_wider_than(bytes, values), None, "{csv:?}");
            assert!(
                first_record_wider_than(bytes, values - 1).is_some(),
                "{csv:?}"
            );
        }
        assert_eq!(first_record_wider_than(b"a\nb\n\"x\ny\",z,w\n", 2), Some(3));
    }

    proptest! {
        #[test]
        fn the_widest_record_is_found_where_the_reader_finds_it(
            cells in prop::collection::vec(
                prop::sample::select(vec![",", "\"", "\r", "\n", "\r\n", "a", "\"\"", " "]),
                0..200,
            ),
            max in 0usize..6,
        ) {
            let bytes = cells.concat().into_bytes();
            let found = first_record_wider_than(&bytes, max);
            prop_assert_eq!(found.is_some(), read_wider_than(&bytes, max));
        }
    }
}
