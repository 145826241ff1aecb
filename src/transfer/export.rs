//! Reading an account's data out, read in one transaction so the lists and
//! todos agree with each other.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{EXPORT_FORMAT, EXPORT_VERSION, Export, ExportedAccount, ExportedList, ExportedTodo};
use crate::{
    calendar::TimeZone, db::Db, error::AppError, lists::store::ListRecord, on_db,
    todos::store::TodoRecord,
};

/// An account's lists and todos as stored.
pub struct AccountData {
    pub email: String,
    pub time_zone: TimeZone,
    /// In their order, the Inbox first.
    pub lists: Vec<ListRecord>,
    /// By list, in each list's manual order.
    pub todos: Vec<TodoRecord>,
}

/// Everything of the user `user_id`, as one consistent snapshot.
pub async fn read(db: &Db, user_id: Uuid) -> Result<AccountData, AppError> {
    let data = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        if matches!(db, Db::Postgres(_)) {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let account: Option<(String, String)> =
            sqlx::query_as("SELECT email, time_zone FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (email, time_zone) = account.ok_or(AppError::Unauthenticated)?;
        let lists: Vec<ListRecord> = sqlx::query_as(
            "SELECT id, name, is_inbox, position, created_at, updated_at FROM lists \
             WHERE user_id = $1 ORDER BY is_inbox DESC, position",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        let todos: Vec<TodoRecord> = sqlx::query_as(
            "SELECT id, title, completed, list_id, notes, priority, due_date, due_time, \
             position, created_at, updated_at FROM todos WHERE user_id = $1 \
             ORDER BY list_id, position",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        AccountData {
            email,
            time_zone: TimeZone::from_stored(&time_zone),
            lists,
            todos,
        }
    });
    Ok(data)
}

/// The JSON export of `data`, made at `at`.
pub fn to_export(data: AccountData, at: DateTime<Utc>) -> Export {
    let zone = data.time_zone;
    let mut todos_by_list: HashMap<Uuid, Vec<ExportedTodo>> = HashMap::new();
    for todo in data.todos {
        let list_id = todo.list_id;
        todos_by_list
            .entry(list_id)
            .or_default()
            .push(ExportedTodo {
                id: Some(todo.id),
                due: todo.due().map(|due| due.to_rfc3339(zone)),
                priority: todo.priority(),
                title: todo.title,
                notes: todo.notes,
                completed: todo.completed,
                position: Some(todo.position),
                created_at: Some(todo.created_at),
                updated_at: Some(todo.updated_at),
            });
    }
    Export {
        format: EXPORT_FORMAT.to_owned(),
        version: EXPORT_VERSION,
        exported_at: at,
        account: ExportedAccount {
            email: data.email,
            time_zone: zone.name().to_owned(),
        },
        lists: data
            .lists
            .into_iter()
            .map(|list| ExportedList {
                todos: todos_by_list.remove(&list.id).unwrap_or_default(),
                id: Some(list.id),
                name: list.name,
                inbox: list.is_inbox,
                position: Some(list.position),
                created_at: Some(list.created_at),
                updated_at: Some(list.updated_at),
            })
            .collect(),
    }
}

/// The columns of the CSV export, which the CSV import reads back (it
/// reports the timestamp columns as not read).
pub const CSV_COLUMNS: [&str; 8] = [
    "title",
    "list",
    "due",
    "priority",
    "notes",
    "completed",
    "created_at",
    "updated_at",
];

/// The todos of `data` as CSV (RFC 4180, UTF-8 with a byte-order mark so
/// spreadsheet apps read accents right), list by list in their order. A
/// due date is `2026-12-24` or `2026-12-24 15:00`, on the account's wall
/// clock; `completed` is `true` or `false`.
pub fn to_csv(data: &AccountData) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer
            .write_record(CSV_COLUMNS)
            .map_err(AppError::internal)?;
        let names: HashMap<Uuid, &str> = data
            .lists
            .iter()
            .map(|list| (list.id, list.name.as_str()))
            .collect();
        for list in &data.lists {
            for todo in data.todos.iter().filter(|todo| todo.list_id == list.id) {
                let due = todo.due().map(|due| match due.time {
                    Some(time) => {
                        format!("{} {}", due.date.format("%Y-%m-%d"), time.format("%H:%M"))
                    }
                    None => due.date.format("%Y-%m-%d").to_string(),
                });
                let record = [
                    todo.title.as_str(),
                    names.get(&todo.list_id).copied().unwrap_or_default(),
                    due.as_deref().unwrap_or_default(),
                    todo.priority().as_str(),
                    todo.notes.as_str(),
                    if todo.completed { "true" } else { "false" },
                    &todo
                        .created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    &todo
                        .updated_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                ];
                writer.write_record(record).map_err(AppError::internal)?;
            }
        }
        writer.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}
