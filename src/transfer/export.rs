//! The export's files, written piece by piece as an account is read (see
//! [`super::stream`]): the JSON document, byte for byte what serializing
//! a whole [`Export`] pretty-printed gives, and the todos as CSV.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    EXPORT_FORMAT, EXPORT_VERSION, Export, ExportedAccount, ExportedList, ExportedTodo,
    csv_file::neutralise_formula,
};
use crate::{
    calendar::TimeZone,
    error::AppError,
    lists::store::ListRecord,
    todos::{repeat::RepeatJson, store::TodoRecord},
};

/// One export file, written as the account is read: its account first,
/// then each list followed by its todos, then [`ExportWriter::finish`].
/// [`ExportWriter::take`] hands over what was written so far.
pub trait ExportWriter: Send {
    fn account(&mut self, email: &str, time_zone: TimeZone) -> Result<(), AppError>;
    fn list(&mut self, list: &ListRecord) -> Result<(), AppError>;
    fn todo(&mut self, todo: &TodoRecord) -> Result<(), AppError>;
    fn finish(&mut self) -> Result<(), AppError>;
    /// How many bytes are written and not yet taken.
    fn pending(&self) -> usize;
    fn take(&mut self) -> Result<Vec<u8>, AppError>;
}

/// The JSON export (pretty-printed, as serde_json prints an [`Export`]).
pub struct JsonDocument {
    exported_at: DateTime<Utc>,
    out: Vec<u8>,
    time_zone: TimeZone,
    lists_written: usize,
    /// Todos written into the list that is open, if one is.
    open_list: Option<usize>,
}

impl JsonDocument {
    pub fn new(exported_at: DateTime<Utc>) -> Self {
        Self {
            exported_at,
            out: Vec::new(),
            time_zone: TimeZone::UTC,
            lists_written: 0,
            open_list: None,
        }
    }

    fn close_list(&mut self) {
        if let Some(todos) = self.open_list.take() {
            close_array(&mut self.out, LIST_DEPTH, todos > 0);
        }
    }
}

/// How deep a list object is in the document (inside `lists`), and a todo
/// (inside its list's `todos`).
const LIST_DEPTH: usize = 2;
const TODO_DEPTH: usize = 4;

impl ExportWriter for JsonDocument {
    fn account(&mut self, email: &str, time_zone: TimeZone) -> Result<(), AppError> {
        self.time_zone = time_zone;
        let head = Export {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            exported_at: self.exported_at,
            account: ExportedAccount {
                email: email.to_owned(),
                time_zone: time_zone.name().to_owned(),
            },
            lists: Vec::new(),
        };
        open_array(&mut self.out, 0, &head)
    }

    fn list(&mut self, list: &ListRecord) -> Result<(), AppError> {
        self.close_list();
        if self.lists_written > 0 {
            self.out.push(b',');
        }
        self.lists_written += 1;
        new_line(&mut self.out, LIST_DEPTH);
        let head = ExportedList {
            id: Some(list.id),
            name: list.name.clone(),
            inbox: list.is_inbox,
            position: Some(list.position.clone()),
            created_at: Some(list.created_at),
            updated_at: Some(list.updated_at),
            todos: Vec::new(),
        };
        open_array(&mut self.out, LIST_DEPTH, &head)?;
        self.open_list = Some(0);
        Ok(())
    }

    fn todo(&mut self, todo: &TodoRecord) -> Result<(), AppError> {
        let Some(written) = self.open_list.as_mut() else {
            return Err(AppError::internal("a todo was exported outside a list"));
        };
        if *written > 0 {
            self.out.push(b',');
        }
        *written += 1;
        new_line(&mut self.out, TODO_DEPTH);
        let exported = ExportedTodo {
            id: Some(todo.id),
            title: todo.title.clone(),
            notes: todo.notes.clone(),
            completed: todo.completed,
            priority: todo.priority(),
            due: todo.due().map(|due| due.to_rfc3339(self.time_zone)),
            repeat: todo.repeat().map(|repeat| RepeatJson::of(&repeat)),
            reminders: todo.reminders().json(),
            position: Some(todo.position.clone()),
            created_at: Some(todo.created_at),
            updated_at: Some(todo.updated_at),
        };
        write_pretty(&mut self.out, TODO_DEPTH, &exported)
    }

    fn finish(&mut self) -> Result<(), AppError> {
        self.close_list();
        close_array(&mut self.out, 0, self.lists_written > 0);
        Ok(())
    }

    fn pending(&self) -> usize {
        self.out.len()
    }

    fn take(&mut self) -> Result<Vec<u8>, AppError> {
        Ok(std::mem::take(&mut self.out))
    }
}

/// Two spaces per level, as serde_json's pretty printer indents.
fn new_line(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.extend(std::iter::repeat_n(b' ', 2 * depth));
}

/// `value` pretty-printed as it would be `depth` levels deep in a
/// document. Every line break serde_json writes is layout (a line break
/// inside a string is escaped as `\n`), so each is followed by the
/// indentation of `depth`.
fn write_pretty(out: &mut Vec<u8>, depth: usize, value: &impl Serialize) -> Result<(), AppError> {
    struct Indented<'a> {
        out: &'a mut Vec<u8>,
        depth: usize,
    }
    impl std::io::Write for Indented<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let mut lines = bytes.split(|byte| *byte == b'\n');
            if let Some(first) = lines.next() {
                self.out.extend_from_slice(first);
            }
            for line in lines {
                new_line(self.out, self.depth);
                self.out.extend_from_slice(line);
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer_pretty(Indented { out, depth }, value).map_err(AppError::internal)
}

/// Writes `value` (whose last member is an empty array) as
/// [`write_pretty`] does, but leaves that array open: the items follow,
/// then [`close_array`].
fn open_array(out: &mut Vec<u8>, depth: usize, value: &impl Serialize) -> Result<(), AppError> {
    write_pretty(out, depth, value)?;
    let mut closing = b"[]".to_vec();
    new_line(&mut closing, depth);
    closing.push(b'}');
    if !out.ends_with(&closing) {
        return Err(AppError::internal(
            "an exported object does not end with its items",
        ));
    }
    out.truncate(out.len() - closing.len() + 1);
    Ok(())
}

/// Closes what [`open_array`] opened at `depth`: the array (on a line of
/// its own after items, `[]` without), then its object.
fn close_array(out: &mut Vec<u8>, depth: usize, had_items: bool) {
    if had_items {
        new_line(out, depth + 1);
    }
    out.push(b']');
    new_line(out, depth);
    out.push(b'}');
}

/// The columns of the CSV export, which the CSV import reads back (it
/// reports the timestamp columns as not read).
pub const CSV_COLUMNS: [&str; 11] = [
    "title",
    "list",
    "due",
    "priority",
    "notes",
    "completed",
    "created_at",
    "updated_at",
    "repeat",
    "repeat_from",
    "reminders",
];

/// The todos as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet
/// apps read accents right, CRLF line ends), list by list in their order.
pub struct CsvFile {
    writer: csv::Writer<Vec<u8>>,
    list_name: String,
}

/// A CSV writer with the export's settings, writing after `written`.
fn csv_writer(written: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(written)
}

impl CsvFile {
    pub fn new() -> Result<Self, AppError> {
        let mut writer = csv_writer("\u{feff}".as_bytes().to_vec());
        writer
            .write_record(CSV_COLUMNS)
            .map_err(AppError::internal)?;
        Ok(Self {
            writer,
            list_name: String::new(),
        })
    }
}

impl ExportWriter for CsvFile {
    fn account(&mut self, _email: &str, _time_zone: TimeZone) -> Result<(), AppError> {
        Ok(())
    }

    fn list(&mut self, list: &ListRecord) -> Result<(), AppError> {
        self.list_name.clone_from(&list.name);
        Ok(())
    }

    fn todo(&mut self, todo: &TodoRecord) -> Result<(), AppError> {
        self.writer
            .write_record(csv_record(todo, &self.list_name))
            .map_err(AppError::internal)
    }

    fn finish(&mut self) -> Result<(), AppError> {
        self.writer.flush().map_err(AppError::internal)
    }

    fn pending(&self) -> usize {
        self.writer.get_ref().len()
    }

    fn take(&mut self) -> Result<Vec<u8>, AppError> {
        std::mem::replace(&mut self.writer, csv_writer(Vec::new()))
            .into_inner()
            .map_err(AppError::internal)
    }
}

/// A todo's CSV line, in the order of [`CSV_COLUMNS`]. A due date is
/// `2026-12-24` or `2026-12-24 15:00`, on the account's wall clock;
/// `completed` is `true` or `false`; the texts a person wrote are
/// neutralised against CSV injection.
fn csv_record(todo: &TodoRecord, list_name: &str) -> [String; 11] {
    let repeat = todo.repeat();
    let due = todo.due().map(|due| match due.time {
        Some(time) => format!("{} {}", due.date.format("%Y-%m-%d"), time.format("%H:%M")),
        None => due.date.format("%Y-%m-%d").to_string(),
    });
    [
        neutralise_formula(&todo.title).into_owned(),
        neutralise_formula(list_name).into_owned(),
        due.unwrap_or_default(),
        todo.priority().as_str().to_owned(),
        neutralise_formula(&todo.notes).into_owned(),
        todo.completed.to_string(),
        todo.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        todo.updated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        repeat
            .as_ref()
            .map(|repeat| repeat.rule.to_string())
            .unwrap_or_default(),
        repeat
            .map(|repeat| repeat.from.as_str().to_owned())
            .unwrap_or_default(),
        todo.reminders().minutes_text(),
    ]
}
