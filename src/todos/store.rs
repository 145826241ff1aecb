//! Todo queries. Each one names the owner in its WHERE clause: a todo id
//! alone never reaches a row. Pages of every kind (a list, Today, Upcoming,
//! a search) are keyset-paged on an index in their order, so a user with
//! 10,000 todos pays for a page what one with 50 does.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use super::{
    DueCounts, DueShown, Filter, NewTodo, Priority, Todo, TodoChanges, TodoLimit, TodoTotals,
    query::{Cursor, ListQuery, Order, Scope},
    repeat::Repeat,
    search::SearchTerms,
};
use crate::{
    calendar::{Due, TimeZone, upcoming_end},
    db::{Bind, Db, Engine, StoreError, WritePool as _, lock_user_row, now},
    lists::{
        ListRef,
        store::{self as lists, ListRefusal, list_id_in},
    },
    on_db,
    ordering::{self, PlacementRefusal, place_in_sequence, respace_sequence},
    reminders::{
        Reminders,
        schedule::{self, Timed},
    },
};

/// What the todos store declines to do (worded in `crate::refusals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodoRefusal {
    /// The user has `limit` todos, as many as one account may keep.
    AtCap {
        limit: u32,
    },
    /// Completing a repeating todo would make its next occurrence, and the
    /// user already has `limit` todos.
    NextPastCap {
        limit: u32,
    },
    /// A page cursor another backend (or no server) made.
    ForeignCursor,
    List(ListRefusal),
    Placement(PlacementRefusal),
}

impl From<ListRefusal> for TodoRefusal {
    fn from(refusal: ListRefusal) -> Self {
        TodoRefusal::List(refusal)
    }
}

impl From<PlacementRefusal> for TodoRefusal {
    fn from(refusal: PlacementRefusal) -> Self {
        TodoRefusal::Placement(refusal)
    }
}

type Refused = StoreError<TodoRefusal>;

fn no_such_list() -> Refused {
    StoreError::Refused(TodoRefusal::List(ListRefusal::NoSuchList {
        field: "list_id",
    }))
}

/// A todo as stored. Pages show the [`Todo`] part; the JSON API also
/// shows the timestamps and the position.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TodoRecord {
    pub id: Uuid,
    pub title: String,
    pub completed: bool,
    pub list_id: Uuid,
    pub notes: String,
    pub priority: i16,
    pub due_date: Option<NaiveDate>,
    pub due_time: Option<NaiveTime>,
    pub position: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The repeat's rule (canonical RFC 5545) and what it counts from.
    pub repeat_rule: Option<String>,
    pub repeat_from: Option<String>,
    /// The next occurrence, once completing this todo made it.
    pub next_id: Option<Uuid>,
    /// Its reminders as stored ([`Reminders::from_stored`]).
    pub reminders: Option<String>,
    /// The row's id in SQLite's search index, read by search pages only.
    #[sqlx(default)]
    pub seq: Option<i64>,
}

impl TodoRecord {
    pub fn due(&self) -> Option<Due> {
        self.due_date.map(|date| Due {
            date,
            time: self.due_time,
        })
    }

    pub fn priority(&self) -> Priority {
        Priority::from_level(self.priority)
    }

    pub fn repeat(&self) -> Option<Repeat> {
        Repeat::from_stored(self.repeat_rule.as_deref(), self.repeat_from.as_deref())
    }

    pub fn reminders(&self) -> Reminders {
        Reminders::from_stored(self.reminders.as_deref())
    }

    /// As the reminder schedule sees it.
    pub fn timed(&self) -> Timed {
        Timed {
            id: self.id,
            due: self.due(),
            reminders: self.reminders(),
            completed: self.completed,
        }
    }

    /// As a page shows it on the user's `today`.
    pub fn shown(self, today: NaiveDate) -> Todo {
        let due = self
            .due()
            .map(|due| DueShown::of(due, today, self.completed));
        let repeat = self.repeat().map(|repeat| repeat.shown());
        let reminders = self.reminders();
        Todo {
            repeat,
            reminders,
            id: self.id.to_string(),
            priority: self.priority(),
            list_id: self.list_id.to_string(),
            title: self.title,
            completed: self.completed,
            notes: self.notes,
            due,
        }
    }
}

const COLUMNS: &str = "t.id, t.title, t.completed, t.list_id, t.notes, t.priority, t.due_date, \
     t.due_time, t.position, t.created_at, t.updated_at, t.repeat_rule, t.repeat_from, t.next_id, \
     t.reminders";

/// [`COLUMNS`] without the table's alias, for `RETURNING`.
fn unqualified_columns() -> String {
    COLUMNS.replace("t.", "")
}

/// Bound parameters one statement may carry on both backends: SQLite's
/// limit (32,766 since 3.32); PostgreSQL's (65,535) is higher.
pub const MAX_BOUND_PARAMETERS: usize = 32_766;

/// Todos one INSERT of [`insert_todos`] writes, 16 parameters each: as
/// many as [`MAX_BOUND_PARAMETERS`] allows, so 100,000 take 49 statements
/// rather than 100,000.
pub const TODOS_PER_INSERT: usize = MAX_BOUND_PARAMETERS / 16;

/// A todo's columns as a row of `VALUES` writes them, after the row's
/// owner (or, for a kept todo, its undo batch): see [`push_rows`].
pub const ROW_COLUMNS: &str = "id, list_id, title, notes, completed, priority, due_date, \
     due_time, position, created_at, updated_at, repeat_rule, repeat_from, next_id, reminders";

/// Adds `VALUES` rows to `insert`, one per todo of `records` (`seq`
/// aside): `(first, ROW_COLUMNS…)`, with `first` the owner or the batch.
pub fn push_rows<DB: Engine>(
    insert: &mut QueryBuilder<'_, DB>,
    first: Uuid,
    records: &[TodoRecord],
) {
    insert.push(" VALUES ");
    for (n, todo) in records.iter().enumerate() {
        insert
            .push(if n == 0 { "(" } else { ", (" })
            .bind(first)
            .and_bind(todo.id)
            .and_bind(todo.list_id)
            .and_bind(todo.title.clone())
            .and_bind(todo.notes.clone())
            .and_bind(todo.completed)
            .and_bind(todo.priority)
            .and_bind(todo.due_date)
            .and_bind(todo.due_time)
            .and_bind(todo.position.clone())
            .and_bind(todo.created_at)
            .and_bind(todo.updated_at)
            .and_bind(todo.repeat_rule.clone())
            .and_bind(todo.repeat_from.clone())
            .and_bind(todo.next_id)
            .and_bind(todo.reminders.clone())
            .push(")");
    }
}

/// In a transaction, inserts `records` (`seq` aside) as todos of the user
/// `user_id`, [`TODOS_PER_INSERT`] to a statement: the one INSERT of the
/// `todos` table. Their reminders are scheduled in the same transaction.
pub async fn insert_todos<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    records: &[TodoRecord],
) -> Result<(), sqlx::Error> {
    for chunk in records.chunks(TODOS_PER_INSERT) {
        let mut insert = QueryBuilder::new(format!("INSERT INTO todos (user_id, {ROW_COLUMNS})"));
        push_rows(&mut insert, user_id, chunk);
        DB::execute(tx, insert).await?;
    }
    let timed: Vec<Timed> = records
        .iter()
        .filter(|record| record.reminders.is_some())
        .map(TodoRecord::timed)
        .collect();
    schedule::sync(tx, user_id, &timed, true, now()).await
}

/// Which of a user's todos a delete removes.
pub enum Removing {
    One(Uuid),
    OfList(Uuid),
}

/// Deletes the user's todos that `removing` names, in the caller's
/// transaction; the rows deleted, as they were (for the undo batch).
pub async fn remove_todos<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    removing: Removing,
) -> Result<Vec<TodoRecord>, sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM todos WHERE user_id = ");
    delete.bind(user_id);
    match removing {
        Removing::One(id) => delete.push(" AND id = ").bind(id),
        Removing::OfList(list) => delete.push(" AND list_id = ").bind(list),
    };
    delete.push(" RETURNING ").push(unqualified_columns());
    DB::fetch_all(tx, delete).await
}

/// Deletes up to `limit` of the user's todos with ids in `first..=last`
/// (what one import wrote, its ids being a range of their own), in the
/// caller's transaction; how many it deleted.
pub async fn remove_todos_in_id_range<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    (first, last): (Uuid, Uuid),
    limit: i64,
) -> Result<u64, sqlx::Error> {
    let mut delete =
        QueryBuilder::new("DELETE FROM todos WHERE id IN (SELECT id FROM todos WHERE user_id = ");
    delete
        .bind(user_id)
        .push(" AND id BETWEEN ")
        .bind(first)
        .push(" AND ")
        .bind(last)
        .push(" LIMIT ")
        .bind(limit)
        .push(")");
    DB::execute(tx, delete).await
}

/// Todos moved by one statement of [`move_to_list`]: three parameters
/// each, well inside SQLite's 32,766.
const MOVES_PER_STATEMENT: usize = 2_000;

/// Moves the user's todos to the list `list_id`, each to its key, in the
/// caller's transaction, many rows a statement (so a long list holds the
/// write lock briefly).
pub async fn move_to_list<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    list_id: Uuid,
    moves: &[(Uuid, String)],
) -> Result<(), sqlx::Error> {
    let moved_at = now();
    for chunk in moves.chunks(MOVES_PER_STATEMENT) {
        let mut update = QueryBuilder::new("WITH moved (moved_id, moved_position) AS (VALUES ");
        for (n, (todo, key)) in chunk.iter().enumerate() {
            update
                .push(if n == 0 { "(" } else { ", (" })
                .bind(*todo)
                .and_bind(key.clone())
                .push(")");
        }
        update
            .push(") UPDATE todos SET list_id = ")
            .bind(list_id)
            .push(", position = moved.moved_position, updated_at = ")
            .bind(moved_at)
            .push(" FROM moved WHERE todos.user_id = ")
            .bind(user_id)
            .push(" AND todos.id = moved.moved_id");
        DB::execute(tx, update).await?;
    }
    Ok(())
}

/// One page of records and where the next starts; for a list in manual
/// order, also the todos just outside the page.
#[derive(Debug)]
pub struct RecordPage {
    pub items: Vec<TodoRecord>,
    pub next_cursor: Option<String>,
    pub preceding: Option<Uuid>,
    pub following: Option<Uuid>,
}

/// A scope whose list, if it names one, is known to be the user's; except
/// a whole list's, which is read without a lookup first (see [`confirm_list`]).
enum Resolved<'a> {
    All,
    List(ListRef),
    Today(Option<Uuid>),
    Upcoming(Option<Uuid>),
    Search(&'a SearchTerms, Option<Uuid>),
}

async fn resolve<'a>(db: &Db, user_id: Uuid, scope: &'a Scope) -> Result<Resolved<'a>, Refused> {
    let list = async |list: Option<ListRef>| match list {
        Some(list) => lists::find(db, user_id, list)
            .await
            .map(|found| Some(found.id))
            .map_err(StoreError::widen),
        None => Ok(None),
    };
    Ok(match scope {
        Scope::All => Resolved::All,
        Scope::List(reference) => Resolved::List(*reference),
        Scope::Today(reference) => Resolved::Today(list(*reference).await?),
        Scope::Upcoming(reference) => Resolved::Upcoming(list(*reference).await?),
        Scope::Search(terms, reference) => Resolved::Search(terms, list(*reference).await?),
    })
}

/// For a whole list's scope that found no rows: `NotFound` unless the list
/// is the user's. Its rows are read without looking it up first (one query
/// fewer per page), so only an empty result needs telling an empty list
/// from one the user does not have.
async fn confirm_list(db: &Db, user_id: Uuid, scope: &Resolved<'_>) -> Result<(), Refused> {
    if let Resolved::List(reference) = scope {
        lists::find(db, user_id, *reference)
            .await
            .map_err(StoreError::widen)?;
    }
    Ok(())
}

/// `FROM` and `WHERE` of the rows of `scope` (the filter aside), after
/// the caller's `SELECT`.
fn push_scope<DB: Engine>(
    query: &mut QueryBuilder<'_, DB>,
    user_id: Uuid,
    scope: &Resolved<'_>,
    today: NaiveDate,
) {
    query.push(" FROM todos t WHERE t.user_id = ").bind(user_id);
    // The rows are the user's whatever the list: another user's list, or
    // none, simply has none of them.
    match scope {
        Resolved::List(ListRef::Id(list))
        | Resolved::Today(Some(list))
        | Resolved::Upcoming(Some(list))
        | Resolved::Search(_, Some(list)) => {
            query.push(" AND t.list_id = ").bind(*list);
        }
        // `TRUE` written, not bound: see `lists::store::list_id_in`.
        Resolved::List(ListRef::Inbox) => {
            query
                .push(" AND t.list_id = (SELECT l.id FROM lists l WHERE l.user_id = ")
                .bind(user_id)
                .push(" AND l.is_inbox = TRUE)");
        }
        _ => {}
    }
    match scope {
        Resolved::Today(_) => {
            // Due today (done or not), or earlier and still open.
            query
                .push(" AND t.due_date IS NOT NULL AND t.due_date <= ")
                .bind(today)
                .push(" AND (t.due_date = ")
                .bind(today)
                .push(" OR t.completed = ")
                .bind(false)
                .push(")");
        }
        Resolved::Upcoming(_) => {
            query
                .push(" AND t.due_date IS NOT NULL AND t.due_date >= ")
                .bind(today)
                .push(" AND t.due_date <= ")
                .bind(upcoming_end(today));
        }
        // For counting SQLite's matches; a page of them is `search_page`'s,
        // and PostgreSQL's are counted through `push_gin_matches`.
        Resolved::Search(terms, _) => {
            query
                .push(" AND t.seq IN (SELECT rowid FROM todo_search WHERE todo_search MATCH ")
                .bind(terms.fts5(user_id))
                .push(")");
        }
        Resolved::All | Resolved::List(_) => {}
    }
}

/// ` AND` the list, the filter and the cursor of a search page.
fn push_narrowing<DB: Engine>(
    sql: &mut QueryBuilder<'_, DB>,
    list: Option<Uuid>,
    query: &ListQuery,
) {
    if let Some(list) = list {
        sql.push(" AND t.list_id = ").bind(list);
    }
    push_filter(sql, query.filter);
    if let Some(cursor) = &query.cursor {
        push_after_cursor(sql, cursor);
    }
}

/// ` AND t.completed = …` when `filter` keeps only done or open todos.
fn push_filter<DB: Engine>(query: &mut QueryBuilder<'_, DB>, filter: Filter) {
    if let Some(completed) = filter.completed() {
        query.push(" AND t.completed = ").bind(completed);
    }
}

/// The ORDER BY of each order.
fn order_by(order: Order) -> &'static str {
    match order {
        Order::Newest => "ORDER BY t.created_at DESC, t.id DESC",
        Order::Manual => "ORDER BY t.position",
        Order::Priority => "ORDER BY t.priority DESC, t.position",
        Order::Due => "ORDER BY t.due_date, t.due_time NULLS FIRST, t.created_at, t.id",
        // PostgreSQL's; SQLite's search pages follow the index's row ids.
        Order::Search => "ORDER BY t.created_at DESC, t.id DESC",
    }
}

/// ` AND` only rows after `cursor` in its order.
fn push_after_cursor<DB: Engine>(query: &mut QueryBuilder<'_, DB>, cursor: &Cursor) {
    match cursor {
        Cursor::Newest { created_at, id } => {
            query
                .push(" AND (t.created_at < ")
                .bind(*created_at)
                .push(" OR (t.created_at = ")
                .bind(*created_at)
                .push(" AND t.id < ")
                .bind(*id)
                .push("))");
        }
        Cursor::Manual { position } => {
            query.push(" AND t.position > ").bind(position.clone());
        }
        Cursor::Found { seq } => {
            query.push(" AND todo_search.rowid < ").bind(*seq);
        }
        Cursor::Priority { level, position } => {
            query
                .push(" AND t.priority <= ")
                .bind(*level)
                .push(" AND (t.priority < ")
                .bind(*level)
                .push(" OR t.position > ")
                .bind(position.clone())
                .push(")");
        }
        Cursor::Due {
            date,
            time,
            created_at,
            id,
        } => {
            // A day's todos without a time come first, then by time; at the
            // same time, oldest first, and the id settles ties.
            query
                .push(" AND t.due_date >= ")
                .bind(*date)
                .push(" AND (t.due_date > ")
                .bind(*date);
            match time {
                None => query.push(" OR t.due_time IS NOT NULL OR (t.due_time IS NULL"),
                Some(time) => query
                    .push(" OR t.due_time > ")
                    .bind(*time)
                    .push(" OR (t.due_time = ")
                    .bind(*time),
            };
            query
                .push(" AND (t.created_at > ")
                .bind(*created_at)
                .push(" OR (t.created_at = ")
                .bind(*created_at)
                .push(" AND t.id > ")
                .bind(*id)
                .push("))))");
        }
    }
}

fn cursor_after(order: Order, row: &TodoRecord) -> Cursor {
    if let (Order::Search, Some(seq)) = (order, row.seq) {
        return Cursor::Found { seq };
    }
    match order {
        Order::Newest | Order::Search => Cursor::Newest {
            created_at: row.created_at,
            id: row.id,
        },
        Order::Manual => Cursor::Manual {
            position: row.position.clone(),
        },
        Order::Priority => Cursor::Priority {
            level: row.priority,
            position: row.position.clone(),
        },
        Order::Due => Cursor::Due {
            date: row.due_date.unwrap_or_default(),
            time: row.due_time,
            created_at: row.created_at,
            id: row.id,
        },
    }
}

/// One page of `query`, whose list (if it names one) must be the user's:
/// another user's list answers `NotFound`, as an unknown one does.
pub async fn list(
    db: &Db,
    user_id: Uuid,
    query: &ListQuery,
    today: NaiveDate,
) -> Result<RecordPage, Refused> {
    let scope = resolve(db, user_id, &query.scope).await?;
    if let Resolved::Search(terms, list) = scope {
        return search_page(db, user_id, terms, list, query).await;
    }
    let mut rows: Vec<TodoRecord> = on_db!(db, pool => {
        let mut sql = QueryBuilder::new(format!("SELECT {COLUMNS}"));
        push_scope(&mut sql, user_id, &scope, today);
        push_filter(&mut sql, query.filter);
        if let Some(cursor) = &query.cursor {
            push_after_cursor(&mut sql, cursor);
        }
        // One row past the page tells whether another page follows.
        sql.push(format!(" {} LIMIT ", order_by(query.order)))
            .bind(i64::try_from(query.limit + 1).unwrap_or(i64::MAX));
        sql.build_query_as().fetch_all(pool).await
    })?;

    if rows.is_empty() {
        confirm_list(db, user_id, &scope).await?;
    }
    let following = rows.get(query.limit).map(|row| row.id);
    let next_cursor = next_cursor(&mut rows, query);
    // In manual order, the todo just above this page, so its first row can
    // move up past the page's edge.
    let preceding = match (&query.cursor, rows.first(), query.order) {
        (Some(_), Some(first), Order::Manual) => {
            let above: Option<(Uuid,)> = on_db!(db, pool => {
                let mut sql = QueryBuilder::new("SELECT t.id");
                push_scope(&mut sql, user_id, &scope, today);
                push_filter(&mut sql, query.filter);
                sql.push(" AND t.position < ")
                    .bind(first.position.clone())
                    .push(" ORDER BY t.position DESC LIMIT 1");
                sql.build_query_as().fetch_optional(pool).await
            })?;
            above.map(|(id,)| id)
        }
        _ => None,
    };
    Ok(RecordPage {
        items: rows,
        next_cursor,
        preceding,
        following: following.filter(|_| query.order == Order::Manual),
    })
}

/// Cuts `rows` (a page and one more) to the page; where the next starts.
fn next_cursor(rows: &mut Vec<TodoRecord>, query: &ListQuery) -> Option<String> {
    if rows.len() <= query.limit {
        return None;
    }
    rows.truncate(query.limit);
    rows.last()
        .map(|row| cursor_after(query.order, row).encode())
}

/// PostgreSQL's planner cannot estimate how many todos a prefix search
/// matches; guessing many, it scans the user's todos, slow for a rare word
/// among many todos. So for its searches the plan is set, for that
/// transaction only: the GIN index alone, with [`gin_matches`].
const GIN_ONLY: &str = "SELECT set_config('enable_seqscan', 'off', true), \
     set_config('enable_indexscan', 'off', true)";

/// `FROM` and `WHERE` of the user's matches of `terms` on PostgreSQL, with
/// the owner compared as text, so that no b-tree index leading with it can
/// stand in for GIN's.
fn push_gin_matches(query: &mut QueryBuilder<'_, Postgres>, terms: &SearchTerms, user_id: Uuid) {
    query
        .push(" FROM todos t WHERE t.search @@ to_tsquery('simple', ")
        .bind(terms.tsquery(user_id))
        .push(") AND t.user_id::text = ")
        .bind(user_id.to_string());
}

/// How many matches PostgreSQL reads from the GIN index and sorts itself;
/// past that many, the words are common enough that the newest-first
/// index finds a page of them sooner.
const SORTED_MATCHES: usize = 500;

/// A page of search results, from the full-text index. SQLite's FTS5 walks
/// its matches in row-id order and stops after a page. PostgreSQL's GIN
/// index gives matches in no order: when a count of them stops at most at
/// [`SORTED_MATCHES`] they are sorted; more, and the page is read from the
/// newest-first index with the match checked per row (dense matches fill a
/// page within the first few hundred rows).
async fn search_page(
    db: &Db,
    user_id: Uuid,
    terms: &SearchTerms,
    list: Option<Uuid>,
    query: &ListQuery,
) -> Result<RecordPage, Refused> {
    // Each backend pages its matches by its own kind of cursor.
    let cursor_fits = match (&query.cursor, db) {
        (None, _) => true,
        (Some(Cursor::Found { .. }), Db::Sqlite(_)) => true,
        (Some(Cursor::Newest { .. }), Db::Postgres(_)) => true,
        (Some(_), _) => false,
    };
    if !cursor_fits {
        return Err(StoreError::Refused(TodoRefusal::ForeignCursor));
    }
    let page_rows = i64::try_from(query.limit + 1).unwrap_or(i64::MAX);
    let mut rows: Vec<TodoRecord> = match db {
        Db::Sqlite(pool) => {
            let mut sql = QueryBuilder::new(format!(
                "SELECT {COLUMNS}, todo_search.rowid AS seq \
                 FROM todo_search JOIN todos t ON t.seq = todo_search.rowid \
                 WHERE todo_search MATCH "
            ));
            sql.bind(terms.fts5(user_id))
                .push(" AND t.user_id = ")
                .bind(user_id);
            push_narrowing(&mut sql, list, query);
            sql.push(" ORDER BY todo_search.rowid DESC LIMIT ")
                .bind(page_rows);
            sql.build_query_as().fetch_all(pool).await?
        }
        Db::Postgres(pool) => {
            // First the GIN index alone...
            let gin_only = |select: &str| {
                let mut sql = QueryBuilder::new(select);
                push_gin_matches(&mut sql, terms, user_id);
                push_narrowing(&mut sql, list, query);
                sql
            };
            let mut tx = pool.begin().await?;
            sqlx::query(GIN_ONLY).execute(&mut *tx).await?;
            let mut probe = gin_only("SELECT COUNT(*) FROM (SELECT 1");
            probe.push(format!(" LIMIT {}) AS matches", SORTED_MATCHES + 1));
            let (matches,): (i64,) = probe.build_query_as().fetch_one(&mut *tx).await?;
            let page = format!(" {} LIMIT {}", order_by(Order::Search), page_rows);
            let found: Vec<TodoRecord> = if matches <= SORTED_MATCHES as i64 {
                let mut sql = gin_only(&format!("SELECT {COLUMNS}"));
                sql.push(&page);
                sql.build_query_as().fetch_all(&mut *tx).await?
            } else {
                // ...and for a word in more todos than that, the
                // newest-first index, each row checked, which then finds a
                // page within its first few hundred rows.
                sqlx::query(
                    "SELECT set_config('enable_indexscan', 'on', true), \
                            set_config('enable_bitmapscan', 'off', true)",
                )
                .execute(&mut *tx)
                .await?;
                let mut sql = QueryBuilder::new(format!(
                    "SELECT {COLUMNS} FROM todos t WHERE t.search @@ to_tsquery('simple', "
                ));
                sql.bind(terms.tsquery(user_id))
                    .push(") AND t.user_id = ")
                    .bind(user_id);
                push_narrowing(&mut sql, list, query);
                sql.push(&page);
                sql.build_query_as().fetch_all(&mut *tx).await?
            };
            tx.commit().await?;
            found
        }
    };
    let next_cursor = next_cursor(&mut rows, query);
    Ok(RecordPage {
        items: rows,
        next_cursor,
        preceding: None,
        following: None,
    })
}

/// How many todos `query`'s scope holds, done or not (the filter aside).
pub async fn totals(
    db: &Db,
    user_id: Uuid,
    query: &ListQuery,
    today: NaiveDate,
) -> Result<TodoTotals, Refused> {
    const COUNTS: &str =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.completed THEN 1 ELSE 0 END), 0)";
    let scope = resolve(db, user_id, &query.scope).await?;
    let (total, completed): (i64, i64) = match (db, &scope) {
        // Counted from the GIN index alone, as `search_page` reads it.
        (Db::Postgres(pool), Resolved::Search(terms, list)) => {
            let mut sql = QueryBuilder::new(COUNTS);
            push_gin_matches(&mut sql, terms, user_id);
            if let Some(list) = list {
                sql.push(" AND t.list_id = ").bind(*list);
            }
            let mut tx = pool.begin().await?;
            sqlx::query(GIN_ONLY).execute(&mut *tx).await?;
            let counts = sql.build_query_as().fetch_one(&mut *tx).await?;
            tx.commit().await?;
            counts
        }
        _ => on_db!(db, pool => {
            let mut sql = QueryBuilder::new(COUNTS);
            push_scope(&mut sql, user_id, &scope, today);
            sql.build_query_as().fetch_one(pool).await
        })?,
    };
    if total == 0 {
        confirm_list(db, user_id, &scope).await?;
    }
    Ok(TodoTotals {
        total,
        active: total - completed,
        completed,
    })
}

/// The user's open todos that are overdue, due today, and due in the days
/// Upcoming shows, from one range of the due-date index.
pub async fn due_counts(
    db: &Db,
    user_id: Uuid,
    today: NaiveDate,
) -> Result<DueCounts, sqlx::Error> {
    let (overdue, due_today, upcoming): (i64, i64, i64) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN due_date < $2 THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN due_date = $2 THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN due_date >= $2 THEN 1 ELSE 0 END), 0) \
             FROM todos WHERE user_id = $1 AND completed = $3 \
               AND due_date IS NOT NULL AND due_date <= $4",
        )
        .bind(user_id)
        .bind(today)
        .bind(false)
        .bind(upcoming_end(today))
        .fetch_one(pool)
        .await
    })?;
    Ok(DueCounts {
        overdue,
        today: due_today,
        upcoming,
    })
}

/// A todo with the name of its list, as the calendar feed shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DatedTodo {
    #[sqlx(flatten)]
    pub todo: TodoRecord,
    pub list_name: String,
}

/// The user's open todos that have a due date, soonest first, at most
/// `limit` of them.
pub async fn open_and_dated(
    db: &Db,
    user_id: Uuid,
    limit: i64,
) -> Result<Vec<DatedTodo>, sqlx::Error> {
    let query = format!(
        "SELECT {COLUMNS}, l.name AS list_name FROM todos t JOIN lists l ON l.id = t.list_id \
         WHERE t.user_id = $1 AND t.completed = FALSE AND t.due_date IS NOT NULL \
         ORDER BY t.due_date, t.due_time, t.id LIMIT $2"
    );
    on_db!(db, pool => {
        sqlx::query_as(&query).bind(user_id).bind(limit).fetch_all(pool).await
    })
}

/// One todo of the user's, or `NotFound` (also for another user's).
pub async fn get(db: &Db, user_id: Uuid, id: Uuid) -> Result<TodoRecord, Refused> {
    let row: Option<TodoRecord> = on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM todos t WHERE t.id = $1 AND t.user_id = $2"))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// The due date the user's todo `id` will have after a change that sets
/// `due` (or, when it leaves the date alone, the one it has now): what a
/// repeat set in the same change is checked against.
pub async fn due_after(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    due: Option<Option<Due>>,
) -> Result<Option<Due>, Refused> {
    match due {
        Some(due) => Ok(due),
        None => Ok(get(db, user_id, id).await?.due()),
    }
}

/// Adds a todo at the top of its list (the Inbox unless it names one of
/// the user's), unless the user already has `limit` todos.
pub async fn create(
    db: &Db,
    user_id: Uuid,
    new: &NewTodo,
    limit: TodoLimit,
) -> Result<TodoRecord, Refused> {
    let created_at = now();
    let due = new.due;
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let count = lock_user_row(&mut tx, user_id).await?.ok_or(StoreError::NoAccount)?;
        if !limit.admits(count, 1) {
            return Err(StoreError::Refused(TodoRefusal::AtCap { limit: limit.0 }));
        }
        let list = new.list.map_or(ListRef::Inbox, ListRef::Id);
        let list_id = list_id_in(&mut tx, user_id, list).await?.ok_or_else(|| match list {
            ListRef::Id(_) => no_such_list(),
            ListRef::Inbox => StoreError::broken("a user without an Inbox"),
        })?;
        let sequence = sequence_of_todos(user_id, list_id);
        let position = place_in_sequence(&mut tx, &sequence, None, None, None)
            .await
            .map_err(StoreError::widen)?;
        let record = TodoRecord {
            id: Uuid::new_v4(),
            title: new.title.as_str().to_owned(),
            completed: false,
            list_id,
            notes: new.notes.as_str().to_owned(),
            priority: new.priority.level(),
            due_date: due.map(|due| due.date),
            due_time: due.and_then(|due| due.time),
            position,
            created_at,
            updated_at: created_at,
            repeat_rule: new.repeat.as_ref().map(|repeat| repeat.rule.to_string()),
            repeat_from: new.repeat.as_ref().map(|repeat| repeat.from.as_str().to_owned()),
            next_id: None,
            reminders: new.reminders.to_stored(),
            seq: None,
        };
        insert_todos(&mut tx, user_id, std::slice::from_ref(&record)).await?;
        tx.commit().await?;
        record
    });
    Ok(record)
}

/// The todos of one of the user's lists.
pub fn sequence_of_todos(user_id: Uuid, list_id: Uuid) -> ordering::Sequence {
    ordering::Sequence {
        table: "todos",
        scope: vec![("user_id", user_id), ("list_id", list_id)],
    }
}

/// `count` keys in increasing order that all sort before `first`, a list's
/// first key (or, for an empty list, from the start): where todos added
/// together go on top of a list, in their order. `None` when the keys
/// below `first` run short (it is at or near the smallest key, or not a
/// valid key): [`keys_on_top`] then respaces the list.
pub fn keys_before(first: Option<&str>, count: usize) -> Option<Vec<String>> {
    let Some(first) = first else {
        return Some(ordering::first_keys(count));
    };
    let mut keys: Vec<String> = Vec::with_capacity(count);
    let mut next = first.to_owned();
    for _ in 0..count {
        next = ordering::between(None, Some(&next)).ok()?;
        if next.len() > ordering::RESPACE_PAST_LEN {
            return None;
        }
        keys.push(next.clone());
    }
    keys.reverse();
    Some(keys)
}

/// Inside a write transaction that holds the user's turn, `count` keys in
/// increasing order for todos that go on top of the user's list `list_id`,
/// in their order (import, undo, a deleted list's todos moved to the
/// Inbox). When the list's first key leaves no room for that many, its
/// todos are respaced first, in the same transaction, so the keys are
/// always valid.
pub async fn keys_on_top<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    list_id: Uuid,
    count: usize,
) -> Result<Vec<String>, sqlx::Error> {
    let mut query = QueryBuilder::new("SELECT MIN(position) FROM todos WHERE user_id = ");
    query.bind(user_id).push(" AND list_id = ").bind(list_id);
    let first: Option<(Option<String>,)> = DB::fetch_optional(tx, query).await?;
    match keys_before(first.and_then(|(first,)| first).as_deref(), count) {
        Some(keys) => Ok(keys),
        None => {
            let sequence = sequence_of_todos(user_id, list_id);
            respace_sequence(tx, &sequence, Uuid::nil(), count).await
        }
    }
}

/// In a write transaction: takes the user's turn (reading how many todos
/// they have), then reads the list the user's todo `id` is in and the list
/// it goes to, `list` when that is one of the user's (else its own list).
async fn lists_of_move<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    id: Uuid,
    list: Option<Uuid>,
) -> Result<(i64, Uuid, Uuid), Refused> {
    let count = lock_user_row(tx, user_id)
        .await?
        .ok_or(StoreError::NoAccount)?;
    let mut query = QueryBuilder::new("SELECT list_id FROM todos WHERE id = ");
    query.bind(id).push(" AND user_id = ").bind(user_id);
    let current: Option<(Uuid,)> = DB::fetch_optional(tx, query).await?;
    let (current,) = current.ok_or(StoreError::NotFound)?;
    let target = match list {
        Some(list) if list != current => list_id_in(tx, user_id, ListRef::Id(list))
            .await?
            .ok_or_else(no_such_list)?,
        _ => current,
    };
    Ok((count, current, target))
}

/// The UPDATE of a todo's `changes`, and of its list and position when it
/// moves: only the fields that change are written, in one statement.
fn update_statement<'q, DB: Engine>(
    changes: &TodoChanges,
    moved_to: Option<(Uuid, String)>,
    id: Uuid,
    user_id: Uuid,
) -> QueryBuilder<'q, DB> {
    let mut sql = QueryBuilder::new("UPDATE todos SET updated_at = ");
    sql.bind(now());
    if let Some(title) = &changes.title {
        sql.push(", title = ").bind(title.as_str().to_owned());
    }
    if let Some(completed) = changes.completed {
        sql.push(", completed = ").bind(completed);
    }
    if let Some(notes) = &changes.notes {
        sql.push(", notes = ").bind(notes.as_str().to_owned());
    }
    if let Some(priority) = changes.priority {
        sql.push(", priority = ").bind(priority.level());
    }
    if let Some(due) = changes.due {
        sql.push(", due_date = ")
            .bind(due.map(|due| due.date))
            .push(", due_time = ")
            .bind(due.and_then(|due| due.time));
    }
    // A repeat counts from the due date: clearing the date clears it.
    let repeat = match (&changes.repeat, changes.due) {
        (_, Some(None)) => Some(None),
        (repeat, _) => repeat.as_ref().map(Option::as_ref),
    };
    if let Some(repeat) = repeat {
        sql.push(", repeat_rule = ")
            .bind(repeat.map(|repeat| repeat.rule.to_string()))
            .push(", repeat_from = ")
            .bind(repeat.map(|repeat| repeat.from.as_str().to_owned()));
    }
    if let Some(reminders) = &changes.reminders {
        sql.push(", reminders = ").bind(reminders.to_stored());
    }
    if let Some((list, position)) = moved_to {
        sql.push(", list_id = ")
            .bind(list)
            .push(", position = ")
            .bind(position);
    }
    sql.push(" WHERE id = ")
        .bind(id)
        .push(" AND user_id = ")
        .bind(user_id);
    // A repeat set on its own goes only on a todo that still has a date.
    if matches!(changes.repeat, Some(Some(_))) && changes.due.is_none() {
        sql.push(" AND due_date IS NOT NULL");
    }
    sql.push(" RETURNING ").push(unqualified_columns());
    sql
}

/// What completing a repeating todo needs besides the change: when it is
/// done and the user's zone (a repeat from completion counts from their
/// day), and the cap its next occurrence must fit under.
#[derive(Debug, Clone, Copy)]
pub struct Completing {
    pub done_at: DateTime<Utc>,
    pub zone: TimeZone,
    pub limit: TodoLimit,
}

/// In the write transaction that completed `record` (holding the user's
/// turn, with `count` todos before), makes its next occurrence when it
/// repeats and has not made one yet: in the same list, just above it.
/// `next_id` is set in the same statement's transaction, so completing
/// again (or twice at once) never makes a second one.
async fn make_next_occurrence<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    record: &mut TodoRecord,
    count: i64,
    completing: Completing,
) -> Result<(), Refused> {
    if !record.completed || record.next_id.is_some() {
        return Ok(());
    }
    let (Some(repeat), Some(due)) = (record.repeat(), record.due()) else {
        return Ok(());
    };
    let done_at = now();
    let Some((next_due, next_repeat)) = repeat.next(due, completing.done_at, completing.zone)
    else {
        return Ok(());
    };
    if !completing.limit.admits(count, 1) {
        return Err(StoreError::Refused(TodoRefusal::NextPastCap {
            limit: completing.limit.0,
        }));
    }
    let sequence = sequence_of_todos(user_id, record.list_id);
    let position = place_in_sequence(tx, &sequence, None, Some(record.id), None)
        .await
        .map_err(StoreError::widen)?;
    let next = TodoRecord {
        id: Uuid::new_v4(),
        title: record.title.clone(),
        completed: false,
        list_id: record.list_id,
        notes: record.notes.clone(),
        priority: record.priority,
        due_date: Some(next_due.date),
        due_time: next_due.time,
        position,
        created_at: done_at,
        updated_at: done_at,
        repeat_rule: Some(next_repeat.rule.to_string()),
        repeat_from: Some(next_repeat.from.as_str().to_owned()),
        next_id: None,
        reminders: record.reminders.clone(),
        seq: None,
    };
    insert_todos(tx, user_id, std::slice::from_ref(&next)).await?;
    let mut claim = QueryBuilder::new("UPDATE todos SET next_id = ");
    claim
        .bind(next.id)
        .push(" WHERE id = ")
        .bind(record.id)
        .push(" AND user_id = ")
        .bind(user_id);
    DB::execute(tx, claim).await?;
    record.next_id = Some(next.id);
    Ok(())
}

/// Applies `changes` in one statement, so two concurrent updates each apply
/// whole. A change of list also moves the todo to the top of its new list,
/// and completing a todo makes its next occurrence when it repeats, each
/// in a transaction that takes the user's turn; a change of the due date,
/// the reminders or the completion moves the todo's reminders in the same
/// transaction.
pub async fn update(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    changes: &TodoChanges,
    completing: Completing,
) -> Result<TodoRecord, Refused> {
    let retimes =
        changes.due.is_some() || changes.reminders.is_some() || changes.completed.is_some();
    if changes.list.is_none() && !retimes {
        let row: Option<TodoRecord> = on_db!(db, pool => {
            update_statement(changes, None, id, user_id)
                .build_query_as()
                .fetch_optional(pool)
                .await
        })?;
        return row.ok_or(StoreError::NotFound);
    }
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let (count, moved_to) = match changes.list {
            Some(list) => {
                let (count, current, target) =
                    lists_of_move(&mut tx, user_id, id, Some(list)).await?;
                // Staying in its list, it keeps its place; in another, it
                // goes on top.
                let moved_to = if current == target {
                    None
                } else {
                    let sequence = sequence_of_todos(user_id, target);
                    let position = place_in_sequence(&mut tx, &sequence, Some(id), None, None)
                        .await
                        .map_err(StoreError::widen)?;
                    Some((target, position))
                };
                (count, moved_to)
            }
            None => {
                let count = lock_user_row(&mut tx, user_id)
                    .await?
                    .ok_or(StoreError::NoAccount)?;
                (count, None)
            }
        };
        let record: Option<TodoRecord> = update_statement(changes, moved_to, id, user_id)
            .build_query_as()
            .fetch_optional(&mut *tx)
            .await?;
        let mut record = record.ok_or(StoreError::NotFound)?;
        make_next_occurrence(&mut tx, user_id, &mut record, count, completing).await?;
        if retimes {
            schedule::sync(&mut tx, user_id, &[record.timed()], false, now()).await?;
        }
        tx.commit().await?;
        record
    });
    Ok(record)
}

/// Places a todo directly before `before` and/or after `after` (todos of
/// the list it lands in), or at the top; in `list` when given (one of the
/// user's), else in its own list.
pub async fn move_todo(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    list: Option<Uuid>,
    before: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<TodoRecord, Refused> {
    let sql = format!(
        "UPDATE todos SET list_id = $1, position = $2, updated_at = $3 \
         WHERE id = $4 AND user_id = $5 RETURNING {}",
        unqualified_columns()
    );
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let (_, _, target) = lists_of_move(&mut tx, user_id, id, list).await?;
        let sequence = sequence_of_todos(user_id, target);
        let position = place_in_sequence(&mut tx, &sequence, Some(id), before, after)
            .await
            .map_err(StoreError::widen)?;
        let record: TodoRecord = sqlx::query_as(&sql)
            .bind(target)
            .bind(&position)
            .bind(now())
            .bind(id)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        record
    });
    Ok(record)
}

/// Marks every todo of the user (or of one of their lists) done, or not.
/// Marking them done makes the next occurrence of each repeating one, in
/// the same transaction.
pub async fn set_all_completed(
    db: &Db,
    user_id: Uuid,
    list: Option<Uuid>,
    completed: bool,
    completing: Completing,
) -> Result<(), Refused> {
    let repeating_sql = format!(
        "SELECT {COLUMNS} FROM todos t WHERE t.user_id = $1 AND t.completed <> $2 \
         AND ($3 IS NULL OR t.list_id = $3) AND t.repeat_rule IS NOT NULL \
         AND t.next_id IS NULL ORDER BY t.list_id, t.position"
    );
    let update_sql = "UPDATE todos SET completed = $2, updated_at = $4 \
         WHERE user_id = $1 AND completed <> $2 AND ($3 IS NULL OR list_id = $3)";
    on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let mut count = lock_user_row(&mut tx, user_id).await?.ok_or(StoreError::NoAccount)?;
        let repeating: Vec<TodoRecord> = if completed {
            sqlx::query_as(&repeating_sql)
                .bind(user_id)
                .bind(completed)
                .bind(list)
                .fetch_all(&mut *tx)
                .await?
        } else {
            Vec::new()
        };
        sqlx::query(update_sql)
            .bind(user_id)
            .bind(completed)
            .bind(list)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        for mut record in repeating {
            record.completed = true;
            make_next_occurrence(&mut tx, user_id, &mut record, count, completing).await?;
            count += i64::from(record.next_id.is_some());
        }
        schedule::resync_user(&mut tx, user_id, now()).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Totals from one aggregate query; no rows are loaded.
pub async fn stats(db: &Db, user_id: Uuid) -> Result<TodoTotals, sqlx::Error> {
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
