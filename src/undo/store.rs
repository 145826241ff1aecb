//! Undo batches in the database. A delete opens a batch in its own write
//! transaction ([`open_undo_batch`]) and copies what it removes into it
//! ([`keep_todos`], [`KEEP_LIST`], [`KEEP_MOVES`]); [`undo`] puts it all back
//! in one transaction and drops the batch. Every statement names the owner.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{UndoWindow, Undoable, todos_counted};
use crate::{
    db::{Bind, Db, Engine, StoreError, WritePool as _, lock_user_row, now},
    lists::{
        ListRef, MAX_LISTS_PER_USER,
        store::{list_id_in, position_after_last_list},
    },
    on_db,
    ordering::PlacementRefusal,
    todos::{
        TodoLimit,
        store::{ROW_COLUMNS, TODOS_PER_INSERT, TodoRecord, insert_todos, keys_on_top, push_rows},
    },
};

/// What undo declines to do (worded in `crate::refusals`), and what a
/// delete that can be undone declines ([`super::deletes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoRefusal {
    /// The batch's window has ended; it waits to be purged.
    TooLate,
    /// Putting it back would pass the `limit` todos one account may keep.
    WouldPassTodoCap {
        limit: u32,
    },
    WouldPassListCap,
    /// Since the delete, the user made another list named `name`.
    NameTakenSince {
        name: String,
    },
    InboxUndeletable,
    /// The list `name` holds `count` todos, and the delete did not say
    /// what becomes of them.
    ListHasTodos {
        name: String,
        count: u64,
    },
    Placement(PlacementRefusal),
}

impl From<PlacementRefusal> for UndoRefusal {
    fn from(refusal: PlacementRefusal) -> Self {
        UndoRefusal::Placement(refusal)
    }
}

/// How long an import's report stays readable by the page it redirects to.
const IMPORT_REPORT_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// In a write transaction, opens an undo batch for `user_id` that lasts
/// `window`, with the message `summary`; its id.
pub async fn open_undo_batch<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    summary: &str,
    window: UndoWindow,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    let opened = now();
    let expires = chrono::TimeDelta::from_std(window.0)
        .ok()
        .and_then(|window| opened.checked_add_signed(window))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let mut insert = QueryBuilder::new(
        "INSERT INTO undo_batches (id, user_id, summary, created_at, expires_at) VALUES (",
    );
    insert
        .bind(id)
        .and_bind(user_id)
        .and_bind(summary.to_owned())
        .and_bind(opened)
        .and_bind(expires)
        .push(")");
    DB::execute(tx, insert).await?;
    Ok(id)
}

/// What a delete returns of the rows it deletes, to keep them with
/// [`keep_todos`]: what was deleted is exactly what is kept, whatever
/// changed the rows a moment before.
pub const DELETED_COLUMNS: &str = "id, title, completed, list_id, notes, priority, due_date, \
     due_time, position, created_at, updated_at, repeat_rule, repeat_from, next_id, reminders";

/// In a transaction, keeps the todos `records` (the [`TodoRecord`]s a
/// delete returned) in the batch `batch`, as many per statement as
/// [`TODOS_PER_INSERT`] allows.
pub async fn keep_todos<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    batch: Uuid,
    records: &[TodoRecord],
) -> Result<(), sqlx::Error> {
    for chunk in records.chunks(TODOS_PER_INSERT) {
        let mut insert = QueryBuilder::new(format!(
            "INSERT INTO deleted_todos (batch_id, {ROW_COLUMNS})"
        ));
        push_rows(&mut insert, batch, chunk);
        DB::execute(tx, insert).await?;
    }
    Ok(())
}

/// Copies the owner's (`$2`) list `$3` into the batch `$1`.
pub const KEEP_LIST: &str = "INSERT INTO deleted_lists (batch_id, id, name, name_key, position, \
     created_at, updated_at) SELECT $1, id, name, name_key, position, created_at, updated_at \
     FROM lists WHERE user_id = $2 AND id = $3";

/// Records where the owner's (`$2`) todos of the list `$3` were, in the
/// batch `$1`, before they move to the Inbox.
pub const KEEP_MOVES: &str = "INSERT INTO moved_todos (batch_id, todo_id, list_id, position, \
     updated_at) SELECT $1, id, list_id, position, updated_at FROM todos \
     WHERE user_id = $2 AND list_id = $3";

/// A batch as a page's notice shows it.
pub async fn find(db: &Db, user_id: Uuid, batch: Uuid) -> Result<Option<Undoable>, sqlx::Error> {
    let found: Option<(String,)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT summary FROM undo_batches WHERE id = $1 AND user_id = $2 AND expires_at > $3",
        )
        .bind(batch)
        .bind(user_id)
        .bind(now())
        .fetch_optional(pool)
        .await
    })?;
    Ok(found.map(|(message,)| Undoable {
        batch: batch.to_string(),
        message,
    }))
}

/// What an undo put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    /// The batch's message, e.g. "Deleted “Milk”."
    pub summary: String,
    pub todos: u64,
    pub lists: u64,
}

impl Undone {
    /// "Restored 3 todos." for the page that follows.
    pub fn message(&self) -> String {
        match (self.lists, self.todos) {
            (0, todos) => format!("Restored {}.", todos_counted(todos)),
            (_, 0) => "Restored the list.".to_owned(),
            (_, todos) => format!("Restored the list and {}.", todos_counted(todos)),
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeletedList {
    id: Uuid,
    name: String,
    name_key: String,
    position: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Puts back, in one statement, the batch's (`$1`) todos whose list is
/// still the owner's (`$2`) and whose place in it is free. This and
/// [`MOVE_BACK`] (with the deletes that keep rows, in `deletes.rs`) are the
/// writes to `todos` outside the todo store: each moves rows between
/// `todos` and an undo table in one statement, so what comes back is
/// exactly what was kept, however many rows.
const RESTORE_IN_PLACE: &str = "INSERT INTO todos (id, user_id, list_id, title, notes, completed, \
     priority, due_date, due_time, position, created_at, updated_at, repeat_rule, repeat_from, \
     next_id, reminders) \
     SELECT d.id, $2, d.list_id, d.title, d.notes, d.completed, d.priority, d.due_date, \
     d.due_time, d.position, d.created_at, d.updated_at, d.repeat_rule, d.repeat_from, \
     d.next_id, d.reminders FROM deleted_todos d \
     WHERE d.batch_id = $1 \
     AND EXISTS (SELECT 1 FROM lists l WHERE l.user_id = $2 AND l.id = d.list_id) \
     AND NOT EXISTS (SELECT 1 FROM todos t \
       WHERE t.user_id = $2 AND t.list_id = d.list_id AND t.position = d.position)";

/// The batch's (`$1`) todos that [`RESTORE_IN_PLACE`] left out, in their
/// order.
const DISPLACED: &str = "SELECT d.id, d.title, d.completed, d.list_id, d.notes, d.priority, \
     d.due_date, d.due_time, d.position, d.created_at, d.updated_at, d.repeat_rule, \
     d.repeat_from, d.next_id, d.reminders FROM deleted_todos d \
     WHERE d.batch_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM todos t WHERE t.user_id = $2 AND t.id = d.id) \
     ORDER BY d.list_id, d.position";

/// Takes the batch's (`$1`) todos that a list's deletion moved to the
/// owner's (`$2`) Inbox (`$3`) back where they were, unless they have left
/// the Inbox since.
const MOVE_BACK: &str = "UPDATE todos SET list_id = m.list_id, position = m.position, \
     updated_at = m.updated_at FROM moved_todos m \
     WHERE m.batch_id = $1 AND todos.id = m.todo_id AND todos.user_id = $2 \
     AND todos.list_id = $3";

/// Puts back what the user's batch `batch` removed or moved, exactly as it
/// was: ids, lists, positions, due dates, priorities, completion and
/// timestamps. A todo whose place was taken meanwhile (or whose list is
/// gone) goes to the top of its list (or of the Inbox). Another user's
/// batch, and one purged, is `NotFound`; one past its window but not yet
/// purged is refused with a message, and so is one that would take the
/// account past the todos or lists it may keep: that batch stays, to be
/// undone once there is room, until its window ends. However many todos
/// the batch holds, they go back in a few statements.
pub async fn undo(
    db: &Db,
    user_id: Uuid,
    batch: Uuid,
    limit: TodoLimit,
) -> Result<Undone, StoreError<UndoRefusal>> {
    let at = now();
    let undone = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let count = lock_user_row(&mut tx, user_id).await?.ok_or(StoreError::NoAccount)?;
        let found: Option<(String, DateTime<Utc>)> = sqlx::query_as(&format!(
            "SELECT summary, expires_at FROM undo_batches WHERE id = $1 AND user_id = $2{}",
            pool.for_update()
        ))
        .bind(batch)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (summary, expires_at) = found.ok_or(StoreError::NotFound)?;
        if expires_at <= at {
            return Err(StoreError::Refused(UndoRefusal::TooLate));
        }

        let (kept,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM deleted_todos WHERE batch_id = $1")
                .bind(batch)
                .fetch_one(&mut *tx)
                .await?;
        if !limit.admits(count, kept) {
            return Err(StoreError::Refused(UndoRefusal::WouldPassTodoCap { limit: limit.0 }));
        }
        let lists: Vec<DeletedList> = sqlx::query_as(
            "SELECT id, name, name_key, position, created_at, updated_at \
             FROM deleted_lists WHERE batch_id = $1",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        if !lists.is_empty() {
            let (list_count,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM lists WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if list_count + lists.len() as i64 > MAX_LISTS_PER_USER {
                return Err(StoreError::Refused(UndoRefusal::WouldPassListCap));
            }
        }
        for list in &lists {
            let (same_name, same_place): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN name_key = $2 THEN 1 ELSE 0 END), 0), \
                        COALESCE(SUM(CASE WHEN position = $3 THEN 1 ELSE 0 END), 0) \
                 FROM lists WHERE user_id = $1",
            )
            .bind(user_id)
            .bind(&list.name_key)
            .bind(&list.position)
            .fetch_one(&mut *tx)
            .await?;
            if same_name > 0 {
                return Err(StoreError::Refused(UndoRefusal::NameTakenSince {
                    name: list.name.clone(),
                }));
            }
            let position = if same_place == 0 {
                list.position.clone()
            } else {
                position_after_last_list(&mut tx, user_id).await.map_err(StoreError::widen)?
            };
            let row = crate::lists::store::NewListRow {
                id: list.id,
                name: &list.name,
                name_key: list.name_key.clone(),
                is_inbox: false,
                position: &position,
                created_at: list.created_at,
                updated_at: list.updated_at,
            };
            crate::lists::store::insert(&mut tx, user_id, &row).await?;
        }

        let in_place = sqlx::query(RESTORE_IN_PLACE)
            .bind(batch)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let displaced: Vec<TodoRecord> = sqlx::query_as(DISPLACED)
            .bind(batch)
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        let restored = in_place + displaced.len() as u64;
        let inbox = list_id_in(&mut tx, user_id, ListRef::Inbox).await?
            .ok_or_else(|| StoreError::broken("a user without an Inbox"))?;
        if !displaced.is_empty() {
            let owned: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM lists WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
            let owned: HashSet<Uuid> = owned.into_iter().map(|(id,)| id).collect();
            let mut by_list: HashMap<Uuid, Vec<TodoRecord>> = HashMap::new();
            for todo in displaced {
                let list = if owned.contains(&todo.list_id) { todo.list_id } else { inbox };
                by_list.entry(list).or_default().push(todo);
            }
            // On top of the list, in their order.
            for (list, mut todos) in by_list {
                let keys = keys_on_top(&mut tx, user_id, list, todos.len()).await?;
                for (todo, key) in todos.iter_mut().zip(keys) {
                    todo.list_id = list;
                    todo.position = key;
                }
                insert_todos(&mut tx, user_id, &todos).await?;
            }
        }
        let moved_back = sqlx::query(MOVE_BACK)
            .bind(batch)
            .bind(user_id)
            .bind(inbox)
            .execute(&mut *tx)
            .await?
            .rows_affected();

        sqlx::query("DELETE FROM undo_batches WHERE id = $1 AND user_id = $2")
            .bind(batch)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // What came back in place reminds again (what was displaced was
        // scheduled as it went in).
        if in_place > 0 {
            crate::reminders::schedule::resync_user(&mut tx, user_id, at).await?;
        }
        tx.commit().await?;
        Undone {
            summary,
            todos: restored + moved_back,
            lists: lists.len() as u64,
        }
    });
    Ok(undone)
}

/// Deletes the batches whose window ended by `now` (and what they kept)
/// and import reports older than an hour; returns how many rows went.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let purged = on_db!(db, pool => {
        let batches = sqlx::query("DELETE FROM undo_batches WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected();
        let reports = sqlx::query("DELETE FROM import_reports WHERE created_at <= $1")
            .bind(now - IMPORT_REPORT_LIFETIME)
            .execute(pool)
            .await?
            .rows_affected();
        batches + reports
    });
    Ok(purged)
}
