//! The deletes that can be undone: a todo, the completed todos, a list
//! (with its todos deleted or moved to the Inbox). Each keeps what it
//! removes (or where it moved it from) in an undo batch of the owner's, in
//! the same transaction as the delete, for [`super::store::undo`] to put
//! back.

use uuid::Uuid;

use super::{Undoable, quoted, todos_counted};
use crate::{
    config::UndoWindow,
    db::{Backend, Db, StoreError, WritePool as _, lock_user_row},
    lists::{
        INBOX_NAME, ListRef, TodosOnDelete,
        store::{RemovingLists, list_id_in, remove_lists},
    },
    on_db,
    todos::store::{Removing, keys_on_top, move_to_list, remove_todos},
    undo::store::{
        DELETED_COLUMNS, KEEP_LIST, KEEP_MOVES, UndoRefusal, keep_todos, open_undo_batch,
    },
};

/// Deletes one of the user's todos, keeping it in an undo batch for
/// `window`.
pub async fn delete_todo(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    window: UndoWindow,
) -> Result<Undoable, StoreError<UndoRefusal>> {
    let undoable = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let deleted = remove_todos(&mut tx, user_id, Removing::One(id)).await?;
        let title = &deleted.first().ok_or(StoreError::NotFound)?.title;
        let message = format!("Deleted {}.", quoted(title));
        let batch = open_undo_batch(&mut tx, user_id, &message, window).await?;
        keep_todos(&mut tx, batch, &deleted).await?;
        tx.commit().await?;
        Undoable {
            batch: batch.to_string(),
            message,
        }
    });
    Ok(undoable)
}

/// Deletes the user's completed todos (or one list's), keeping them in an
/// undo batch for `window`; `None` when none were completed. The rows go
/// from `todos` to `deleted_todos` inside the database, whatever their
/// number: on SQLite a copy and a delete in the transaction that holds the
/// write lock, on PostgreSQL one statement, so what is kept is exactly
/// what was deleted even while other transactions change the rows.
pub async fn clear_completed(
    db: &Db,
    user_id: Uuid,
    list: Option<Uuid>,
    window: UndoWindow,
) -> Result<Option<Undoable>, sqlx::Error> {
    const CLEARED: &str = "FROM todos WHERE user_id = $1 AND completed = $2 \
         AND ($3 IS NULL OR list_id = $3)";
    let (keep, delete) = match db.backend() {
        Backend::Sqlite => (
            format!(
                "INSERT INTO deleted_todos (batch_id, {DELETED_COLUMNS}) \
                 SELECT $4, {DELETED_COLUMNS} {CLEARED}"
            ),
            Some(format!("DELETE {CLEARED}")),
        ),
        Backend::Postgres => (
            format!(
                "WITH cleared AS (DELETE {CLEARED} RETURNING {DELETED_COLUMNS}) \
                 INSERT INTO deleted_todos (batch_id, {DELETED_COLUMNS}) \
                 SELECT $4, {DELETED_COLUMNS} FROM cleared"
            ),
            None,
        ),
    };
    let undoable = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        // The message counts what was kept, so the batch gets it last.
        let batch = open_undo_batch(&mut tx, user_id, "", window).await?;
        let count = sqlx::query(&keep)
            .bind(user_id)
            .bind(true)
            .bind(list)
            .bind(batch)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if let Some(delete) = &delete {
            sqlx::query(delete)
                .bind(user_id)
                .bind(true)
                .bind(list)
                .execute(&mut *tx)
                .await?;
        }
        if count == 0 {
            return Ok(None);
        }
        let message = format!(
            "Deleted {} that {} done.",
            todos_counted(count),
            if count == 1 { "was" } else { "were" }
        );
        sqlx::query("UPDATE undo_batches SET summary = $1 WHERE id = $2 AND user_id = $3")
            .bind(&message)
            .bind(batch)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Some(Undoable {
            batch: batch.to_string(),
            message,
        })
    });
    Ok(undoable)
}

/// What deleting a list did with its todos, and the batch that undoes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedList {
    pub todos_deleted: u64,
    pub todos_moved: u64,
    pub undo: Undoable,
}

/// Deletes one of the user's lists (never the Inbox). A list that still
/// has todos is only deleted when `todos` says what becomes of them. The
/// list, and its todos deleted or where they were before moving, are kept
/// in an undo batch for `window`.
pub async fn delete_list(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    todos: Option<TodosOnDelete>,
    window: UndoWindow,
) -> Result<DeletedList, StoreError<UndoRefusal>> {
    let outcome = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        lock_user_row(&mut tx, user_id).await?.ok_or(StoreError::NoAccount)?;
        let list: Option<(String, bool)> =
            sqlx::query_as("SELECT name, is_inbox FROM lists WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, is_inbox)) = list else {
            return Err(StoreError::NotFound);
        };
        if is_inbox {
            return Err(StoreError::Refused(UndoRefusal::InboxUndeletable));
        }
        let ids: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT id FROM todos WHERE user_id = $1 AND list_id = $2 ORDER BY position",
        )
        .bind(user_id)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let count = ids.len() as u64;
        let quoted = format!("\u{201c}{name}\u{201d}");
        let message = match (count, todos) {
            (0, _) => format!("Deleted the list {quoted}."),
            (_, None) => {
                return Err(StoreError::Refused(UndoRefusal::ListHasTodos { name, count }));
            }
            (_, Some(TodosOnDelete::Delete)) => {
                format!("Deleted the list {quoted} and its {}.", todos_counted(count))
            }
            (_, Some(TodosOnDelete::Move)) => format!(
                "Deleted the list {quoted}; its {} moved to the {INBOX_NAME}.",
                todos_counted(count)
            ),
        };
        let batch = open_undo_batch(&mut tx, user_id, &message, window).await?;
        let mut outcome = DeletedList {
            todos_deleted: 0,
            todos_moved: 0,
            undo: Undoable {
                batch: batch.to_string(),
                message,
            },
        };
        if !ids.is_empty() {
            match todos {
                // Refused above: a list with todos needs to know their fate.
                None => {}
                Some(TodosOnDelete::Delete) => {
                    let deleted = remove_todos(&mut tx, user_id, Removing::OfList(id)).await?;
                    keep_todos(&mut tx, batch, &deleted).await?;
                    outcome.todos_deleted = deleted.len() as u64;
                }
                Some(TodosOnDelete::Move) => {
                    sqlx::query(KEEP_MOVES)
                        .bind(batch)
                        .bind(user_id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let inbox = list_id_in(&mut tx, user_id, ListRef::Inbox).await?
                        .ok_or_else(|| StoreError::broken("a user without an Inbox"))?;
                    // Keys before the Inbox's first todo, so the moved todos
                    // arrive at its top in their order.
                    let keys = keys_on_top(&mut tx, user_id, inbox, ids.len()).await?;
                    let moves: Vec<(Uuid, String)> =
                        ids.iter().map(|(todo,)| *todo).zip(keys).collect();
                    move_to_list(&mut tx, user_id, inbox, &moves).await?;
                    outcome.todos_moved = ids.len() as u64;
                }
            }
        }
        sqlx::query(KEEP_LIST)
            .bind(batch)
            .bind(user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        remove_lists(&mut tx, user_id, RemovingLists::One(id)).await?;
        tx.commit().await?;
        outcome
    });
    Ok(outcome)
}
