//! Todo queries. Each one names the owner in its WHERE clause: a todo id
//! alone never reaches a row.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ListQuery, Todo, TodoChanges, TodoLimit, TodoPage, TodoTitle, TodoTotals};
use crate::{
    db::{Db, now},
    error::AppError,
    on_db,
};

/// A todo as stored. Pages show the [`Todo`] part; the JSON API also
/// shows the timestamps.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TodoRecord {
    pub id: Uuid,
    pub title: String,
    pub completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TodoRecord> for Todo {
    fn from(record: TodoRecord) -> Self {
        Todo {
            id: record.id.to_string(),
            title: record.title,
            completed: record.completed,
        }
    }
}

/// One page of records, newest first, and where the next starts.
#[derive(Debug)]
pub struct RecordPage {
    pub items: Vec<TodoRecord>,
    pub next_cursor: Option<String>,
}

impl From<RecordPage> for TodoPage {
    fn from(page: RecordPage) -> Self {
        TodoPage {
            items: page.items.into_iter().map(Todo::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// Where a page starts: just after this (created_at, id) in newest-first
/// order. Opaque to clients: `<microseconds>.<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    created_at: DateTime<Utc>,
    id: Uuid,
}

impl Cursor {
    fn after(row: &TodoRecord) -> Self {
        Self {
            created_at: row.created_at,
            id: row.id,
        }
    }

    pub fn encode(&self) -> String {
        format!(
            "{}.{}",
            self.created_at.timestamp_micros(),
            self.id.simple()
        )
    }

    pub fn decode(text: &str) -> Result<Self, AppError> {
        let invalid = || {
            AppError::Invalid(
                "That page link is not valid; start again from the first page.".into(),
            )
        };
        let (micros, id) = text.split_once('.').ok_or_else(invalid)?;
        let created_at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(invalid)?;
        let id = Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(Self { created_at, id })
    }
}

const COLUMNS: &str = "id, title, completed, created_at, updated_at";

/// Keyset pagination on the (user_id, created_at DESC, id DESC) index: the
/// cost of a page does not grow with the number of todos.
pub async fn list(db: &Db, user_id: Uuid, query: &ListQuery) -> Result<RecordPage, AppError> {
    let ListQuery {
        filter,
        cursor,
        limit: page_size,
    } = *query;
    // One row past the page tells whether another page follows.
    let limit = i64::try_from(page_size + 1).unwrap_or(i64::MAX);
    let completed = filter.completed();
    let mut rows: Vec<TodoRecord> = match cursor {
        None => on_db!(db, pool => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM todos WHERE user_id = $1 AND ($2 IS NULL OR completed = $2) \
                 ORDER BY created_at DESC, id DESC LIMIT $3"
            ))
            .bind(user_id)
            .bind(completed)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?,
        Some(cursor) => on_db!(db, pool => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM todos WHERE user_id = $1 AND ($2 IS NULL OR completed = $2) \
                 AND (created_at < $3 OR (created_at = $3 AND id < $4)) \
                 ORDER BY created_at DESC, id DESC LIMIT $5"
            ))
            .bind(user_id)
            .bind(completed)
            .bind(cursor.created_at)
            .bind(cursor.id)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?,
    };
    let next_cursor = if rows.len() > page_size {
        rows.truncate(page_size);
        rows.last().map(|row| Cursor::after(row).encode())
    } else {
        None
    };
    Ok(RecordPage {
        items: rows,
        next_cursor,
    })
}

/// One todo of the user's, or `NotFound` (also for another user's).
pub async fn get(db: &Db, user_id: Uuid, id: Uuid) -> Result<TodoRecord, AppError> {
    let row: Option<TodoRecord> = on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM todos WHERE id = $1 AND user_id = $2"))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(AppError::NotFound)
}

/// Adds a todo unless the user already has `limit` of them.
pub async fn create(
    db: &Db,
    user_id: Uuid,
    title: &TodoTitle,
    limit: TodoLimit,
) -> Result<TodoRecord, AppError> {
    // SQLite runs one writer at a time, so reading the user's count and
    // inserting are one step. PostgreSQL runs concurrent inserts by one user
    // side by side: `FOR UPDATE` makes them take turns on the user's row and
    // each read the count the one before it left (the trigger bumps it).
    const SQLITE: &str = "INSERT INTO todos (id, user_id, title, completed, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, $5 WHERE (SELECT todo_count FROM users WHERE id = $2) < $6";
    const POSTGRES: &str = "WITH owner AS (SELECT todo_count FROM users WHERE id = $2 FOR UPDATE) \
         INSERT INTO todos (id, user_id, title, completed, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, $5 FROM owner WHERE owner.todo_count < $6";
    let created_at = now();
    let row = TodoRecord {
        id: Uuid::new_v4(),
        title: title.as_str().to_owned(),
        completed: false,
        created_at,
        updated_at: created_at,
    };
    let sql = match db {
        Db::Sqlite(_) => SQLITE,
        Db::Postgres(_) => POSTGRES,
    };
    let inserted = on_db!(db, pool => {
        sqlx::query(sql)
            .bind(row.id)
            .bind(user_id)
            .bind(&row.title)
            .bind(row.completed)
            .bind(row.created_at)
            .bind(i64::from(limit.0))
            .execute(pool)
            .await?
            .rows_affected()
    });
    if inserted == 0 {
        return Err(AppError::Conflict(format!(
            "You have {} todos, as many as one account can keep. Delete some to add more.",
            limit.0
        )));
    }
    Ok(row)
}

/// One statement, so two concurrent updates each apply whole.
pub async fn update(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    changes: &TodoChanges,
) -> Result<TodoRecord, AppError> {
    let row: Option<TodoRecord> = on_db!(db, pool => {
        sqlx::query_as(&format!(
            "UPDATE todos SET title = COALESCE($1, title), completed = COALESCE($2, completed), updated_at = $3 \
             WHERE id = $4 AND user_id = $5 RETURNING {COLUMNS}"
        ))
        .bind(changes.title.as_ref().map(TodoTitle::as_str))
        .bind(changes.completed)
        .bind(now())
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })?;
    row.ok_or(AppError::NotFound)
}

pub async fn delete(db: &Db, user_id: Uuid, id: Uuid) -> Result<(), AppError> {
    let deleted = on_db!(db, pool => {
        sqlx::query("DELETE FROM todos WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|result| result.rows_affected())
    })?;
    if deleted == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

pub async fn set_all_completed(db: &Db, user_id: Uuid, completed: bool) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("UPDATE todos SET completed = $1, updated_at = $2 WHERE user_id = $3 AND completed <> $1")
            .bind(completed)
            .bind(now())
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

pub async fn clear_completed(db: &Db, user_id: Uuid) -> Result<u64, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query("DELETE FROM todos WHERE user_id = $1 AND completed = $2")
            .bind(user_id)
            .bind(true)
            .execute(pool)
            .await
            .map(|result| result.rows_affected())
    })?)
}

/// Totals from one aggregate query; no rows are loaded.
pub async fn stats(db: &Db, user_id: Uuid) -> Result<TodoTotals, AppError> {
    let (total, completed): (i64, i64) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN completed THEN 1 ELSE 0 END), 0) \
             FROM todos WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_one(pool)
        .await
    })?;
    Ok(TodoTotals {
        total,
        active: total - completed,
        completed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            created_at: DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        for garbage in [
            "",
            "abc",
            "12.not-a-uuid",
            "x.00000000000000000000000000000000",
        ] {
            assert!(Cursor::decode(garbage).is_err(), "{garbage}");
        }
    }
}
