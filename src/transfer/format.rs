//! The files' shapes: the JSON export, and what an import answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::todos::Priority;

/// The largest file an import takes: a few times the largest export of an
/// account at the todo cap with short notes.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// How many columns a CSV file's first line may name: Taskward reads six
/// and writes eight, and other apps' exports have a few dozen. It bounds
/// the columns an answer lists as not read.
pub const MAX_CSV_COLUMNS: usize = 64;
/// How much of a value from the file a message quotes, in characters:
/// enough to recognise it, never a copy of a cell.
pub const MAX_QUOTED_CHARS: usize = 40;
/// The longest problem line, in bytes: a line number or pointer, a quoted
/// value and a hint fit well within it.
pub const MAX_PROBLEM_BYTES: usize = 300;
/// The longest message an import answers with, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 1024;
/// The largest report an import makes (its message and each problem
/// listed), in bytes: the account page keeps it for an hour in
/// `import_reports` and shows it on every visit.
pub const MAX_REPORT_BYTES: usize = 16 * 1024;
const _: () = assert!(
    MAX_MESSAGE_BYTES + MAX_REPORTED_PROBLEMS * (MAX_PROBLEM_BYTES + 1) <= MAX_REPORT_BYTES
);
/// What the export's `format` says, so an import knows it is one.
pub const EXPORT_FORMAT: &str = "taskward";
/// The export's `version`: raised when its shape changes.
pub const EXPORT_VERSION: u32 = 1;

/// An account's data, as `GET /api/v1/export` writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Export {
    /// Always `taskward`.
    #[schema(example = "taskward")]
    pub format: String,
    /// Always 1, for now.
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub account: ExportedAccount,
    /// In their order, the Inbox first.
    pub lists: Vec<ExportedList>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportedAccount {
    pub email: String,
    /// The IANA zone due times are read in, e.g. `Europe/Berlin`.
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportedList {
    /// The list's id in the account it came from; an import gives new ids.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub name: String,
    /// The account's Inbox: imported into the Inbox of the account.
    #[serde(default)]
    pub inbox: bool,
    /// Its place among the lists (an ordering key, compared byte-wise).
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// In the list's manual order.
    #[serde(default)]
    pub todos: Vec<ExportedTodo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportedTodo {
    #[serde(default)]
    pub id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub completed: bool,
    #[serde(default)]
    pub priority: Priority,
    /// A date (`2026-12-24`) or a date and time with the offset of the
    /// account's time zone then (`2026-12-24T15:00:00+01:00`).
    #[serde(default)]
    pub due: Option<String>,
    /// How it repeats, if it does (it then has a due date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<crate::todos::repeat::RepeatJson>,
    /// When it reminds (up to 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<crate::reminders::ReminderJson>,
    /// Its place in the list (an ordering key, compared byte-wise).
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportOutcome {
    pub lists_created: u64,
    pub todos_imported: u64,
    /// Columns of a CSV file that Taskward does not read (e.g. `created_at`).
    pub ignored_columns: Vec<String>,
}

impl ImportOutcome {
    /// "Imported 12 todos into 2 new lists and your existing ones."
    pub fn message(&self) -> String {
        let todos = crate::undo::todos_counted(self.todos_imported);
        let mut message = match self.lists_created {
            0 => format!("Imported {todos}."),
            1 => format!("Imported {todos} and made 1 new list."),
            lists => format!("Imported {todos} and made {lists} new lists."),
        };
        if !self.ignored_columns.is_empty() {
            message.push_str(&format!(
                " These columns were not read: {}.",
                self.ignored_columns.join(", ")
            ));
        }
        clipped(&message, MAX_MESSAGE_BYTES)
    }
}

/// One thing wrong with an import's file: where (a CSV line, or a JSON
/// pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The CSV line it is on (the first line is 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Where in a JSON file, e.g. `#/lists/0/todos/3/due`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// "line 14: the due date “31/02” is not a date (…)".
    pub detail: String,
}

/// Why an import wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefusal {
    /// The file: what is wrong with it as a whole, and line by line.
    File {
        message: String,
        problems: Vec<ImportProblem>,
    },
    /// Anything else (the todo cap, a rate limit, the database).
    Other(crate::error::AppError),
}

impl From<crate::error::AppError> for ImportRefusal {
    fn from(error: crate::error::AppError) -> Self {
        ImportRefusal::Other(error)
    }
}

impl<R: Into<crate::error::AppError>> From<crate::db::StoreError<R>> for ImportRefusal {
    #[track_caller]
    fn from(error: crate::db::StoreError<R>) -> Self {
        ImportRefusal::Other(error.into())
    }
}

impl From<sqlx::Error> for ImportRefusal {
    fn from(error: sqlx::Error) -> Self {
        ImportRefusal::Other(error.into())
    }
}

impl ImportRefusal {
    /// A refusal of the file as a whole; a long `message` (one quoting a
    /// parser's error, say) is cut to [`MAX_MESSAGE_BYTES`].
    pub fn file(message: impl AsRef<str>) -> Self {
        ImportRefusal::File {
            message: clipped(message.as_ref(), MAX_MESSAGE_BYTES),
            problems: Vec::new(),
        }
    }

    /// For people: the message, then each problem on a line of its own.
    pub fn message(&self) -> String {
        match self {
            ImportRefusal::File { message, .. } => message.clone(),
            ImportRefusal::Other(error) => error.to_string(),
        }
    }
}

/// How many problems an import reports at most: enough to fix a file by,
/// without an answer as long as the file.
pub const MAX_REPORTED_PROBLEMS: usize = 50;

/// `text` cut to at most `max_bytes` bytes (an ellipsis marks the cut),
/// with U+0000, which PostgreSQL cannot store, shown as U+FFFD: a message
/// that quotes a file must still fit a report.
pub fn clipped(text: &str, max_bytes: usize) -> String {
    let shown = |c: char| match c {
        '\0' => char::REPLACEMENT_CHARACTER,
        c => c,
    };
    let whole: usize = text.chars().map(|c| shown(c).len_utf8()).sum();
    let room = if whole <= max_bytes {
        max_bytes
    } else {
        max_bytes.saturating_sub('…'.len_utf8())
    };
    let mut clipped = String::with_capacity(whole.min(max_bytes));
    for c in text.chars().map(shown) {
        if clipped.len() + c.len_utf8() > room {
            clipped.push('…');
            break;
        }
        clipped.push(c);
    }
    clipped
}

/// The start of a value from the file, as a message shows it: its first
/// [`MAX_QUOTED_CHARS`] characters, control characters written out (`\t`,
/// `\u{0}`).
pub fn excerpt(text: &str) -> String {
    let mut shown = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == MAX_QUOTED_CHARS {
            shown.push('…');
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// [`excerpt`] between curly quotes: “31/02”.
pub fn quoted(text: &str) -> String {
    format!("\u{201c}{}\u{201d}", excerpt(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_text_fits_its_bytes_and_never_holds_u0000() {
        assert_eq!(clipped("short", 10), "short");
        assert_eq!(clipped("exactly10!", 10), "exactly10!");
        let cut = clipped(&"日本".repeat(1000), 100);
        assert!(cut.len() <= 100 && cut.ends_with('…'), "{cut}");
        assert_eq!(clipped("a\0b", 10), "a\u{fffd}b");
        assert!(clipped(&"\0".repeat(100), 100).len() <= 100);
    }

    #[test]
    fn quoted_values_are_short_and_show_control_characters() {
        assert_eq!(quoted("31/02"), "\u{201c}31/02\u{201d}");
        assert_eq!(quoted("a\tb\0"), "\u{201c}a\\tb\\u{0}\u{201d}");
        let long = quoted(&"x".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_QUOTED_CHARS + 3);
    }
}
