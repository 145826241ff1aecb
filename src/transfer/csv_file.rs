//! Reading a CSV file of todos: a first line naming the columns (`title`
//! required; `list`, `due`, `priority`, `notes`, `completed` optional, in
//! any order and case; others reported as not read), then one todo per
//! record. Quoted fields may hold commas, quotes and line breaks; a
//! byte-order mark and Windows line ends are fine. Every problem is
//! reported with the line it is on.

use chrono::NaiveDateTime;

use super::ImportRefusal;
use super::import::{ListTarget, Plan, PlannedList, PlannedTodo, Problems};
use crate::{
    calendar::{Due, TimeZone},
    todos::{Notes, Priority, TodoTitle},
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
}

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

fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    format!("\u{201c}{shown}\u{201d}")
}

pub fn plan(bytes: &[u8], zone: TimeZone) -> Result<Plan, ImportRefusal> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportRefusal::file(
            "The file is empty. A CSV import needs a first line naming the columns (at least \
             “title”), then one todo per line.",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => {
            return Err(ImportRefusal::file(format!(
                "The first line could not be read as CSV ({error})."
            )));
        }
        None => return Err(ImportRefusal::file("The file is empty.")),
    };
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut ignored_columns = Vec::new();
    for name in header.iter() {
        let Ok(name) = std::str::from_utf8(name) else {
            return Err(ImportRefusal::file(
                "The file is not UTF-8 text. Save it as “CSV UTF-8” and import it again.",
            ));
        };
        let column = Column::named(name);
        if column.is_some() && columns.contains(&column) {
            return Err(ImportRefusal::file(format!(
                "The first line names the column {} twice.",
                quoted(name.trim())
            )));
        }
        if column.is_none() && !name.trim().is_empty() {
            ignored_columns.push(name.trim().to_owned());
        }
        columns.push(column);
    }
    if !columns.contains(&Some(Column::Title)) {
        let names: Vec<String> = header
            .iter()
            .map(|name| quoted(String::from_utf8_lossy(name).trim()))
            .collect();
        return Err(ImportRefusal::file(format!(
            "The first line must name the columns, one of them “title”; it says {}.",
            names.join(", ")
        )));
    }

    let mut problems = Problems::default();
    let mut lists: Vec<PlannedList> = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line());
                problems.at_line(line, "it could not be read as CSV");
                continue;
            }
        };
        let line = record.position().map_or(0, |position| position.line());
        if record
            .iter()
            .all(|field| field.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
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
            continue;
        }
        let mut fields = [""; 6];
        let mut readable = true;
        for (value, column) in record.iter().zip(&columns) {
            let Some(column) = column else { continue };
            match std::str::from_utf8(value) {
                Ok(value) => fields[*column as usize] = value,
                Err(_) => readable = false,
            }
        }
        if !readable {
            problems.at_line(line, "it is not UTF-8 text; save the file as “CSV UTF-8”");
            continue;
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
        let target = ListTarget::named(field(Column::List))
            .map_err(|error| problems.at_line(line, format!("the list name: {error}")))
            .ok();
        let (Some(title), Some(notes), Some(due), Some(priority), Some(completed), Some(target)) =
            (title, notes, due, priority, done, target)
        else {
            continue;
        };
        let todo = PlannedTodo {
            title,
            notes,
            completed,
            priority,
            due,
            position: None,
            created_at: None,
            updated_at: None,
        };
        match lists
            .iter_mut()
            .find(|list| list.target.key() == target.key())
        {
            Some(list) => list.todos.push(todo),
            None => lists.push(PlannedList {
                target,
                position: None,
                created_at: None,
                updated_at: None,
                todos: vec![todo],
            }),
        }
    }
    problems.check()?;
    if lists.is_empty() {
        return Err(ImportRefusal::file(
            "The file names its columns but holds no todos: add one per line after the first.",
        ));
    }
    Ok(Plan {
        lists,
        ignored_columns,
    })
}
