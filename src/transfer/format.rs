//! The files' shapes: the JSON export, and what an import answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::todos::Priority;

/// The largest file an import takes: a few times the largest export of an
/// account at the todo cap with short notes.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
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
        message
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

impl From<sqlx::Error> for ImportRefusal {
    fn from(error: sqlx::Error) -> Self {
        ImportRefusal::Other(error.into())
    }
}

impl ImportRefusal {
    pub fn file(message: impl Into<String>) -> Self {
        ImportRefusal::File {
            message: message.into(),
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
