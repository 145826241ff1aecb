//! Todo queries. Each one names the owner in its WHERE clause: a todo id
//! alone never reaches a row. Pages of every kind (a list, Today, Upcoming,
//! a search) are keyset-paged on an index in their order, so a user with
//! 10,000 todos pays for a page what one with 50 does.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use super::{
    DueCounts, DueShown, NewTodo, Priority, Todo, TodoChanges, TodoLimit, TodoTitle, TodoTotals,
    query::{Cursor, ListQuery, Order, Scope},
    search::SearchTerms,
};
use crate::{
    bind_params,
    calendar::{Due, upcoming_end},
    db::{Db, Param, WritePool as _, now},
    error::AppError,
    list_id_in,
    lists::{
        ListRef,
        store::{self as lists, no_such_list},
    },
    lock_user_row, on_db, ordering, place_in_sequence,
};

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

    /// As a page shows it on the user's `today`.
    pub fn shown(self, today: NaiveDate) -> Todo {
        let due = self
            .due()
            .map(|due| DueShown::of(due, today, self.completed));
        Todo {
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
     t.due_time, t.position, t.created_at, t.updated_at";

/// Bound parameters one statement may carry on both backends: SQLite's
/// limit (32,766 since 3.32); PostgreSQL's (65,535) is higher.
pub const MAX_BOUND_PARAMETERS: usize = 32_766;

/// Todos one INSERT of [`insert_todos!`] writes, 12 parameters each: as
/// many as [`MAX_BOUND_PARAMETERS`] allows, so 100,000 take 37 statements
/// rather than 100,000.
pub const TODOS_PER_INSERT: usize = MAX_BOUND_PARAMETERS / 12;

/// In a transaction (`$tx`), inserts `$records` (a slice of
/// [`TodoRecord`]s, `seq` aside) as todos of the user `$user_id`,
/// [`TODOS_PER_INSERT`] to a statement.
#[macro_export]
macro_rules! insert_todos {
    ($tx:expr, $user_id:expr, $records:expr) => {{
        let (user_id, records): (uuid::Uuid, &[$crate::todos::store::TodoRecord]) =
            ($user_id, $records);
        for chunk in records.chunks($crate::todos::store::TODOS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO todos (id, user_id, list_id, title, notes, completed, priority, \
                 due_date, due_time, position, created_at, updated_at) ",
            );
            insert.push_values(chunk, |mut row, todo| {
                row.push_bind(todo.id)
                    .push_bind(user_id)
                    .push_bind(todo.list_id)
                    .push_bind(todo.title.as_str())
                    .push_bind(todo.notes.as_str())
                    .push_bind(todo.completed)
                    .push_bind(todo.priority)
                    .push_bind(todo.due_date)
                    .push_bind(todo.due_time)
                    .push_bind(todo.position.as_str())
                    .push_bind(todo.created_at)
                    .push_bind(todo.updated_at);
            });
            insert.build().execute(&mut *$tx).await?;
        }
    }};
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

/// A query assembled from its parts: the rows it reads, its conditions and
/// their parameters, numbered as they are added.
struct Selection {
    from: &'static str,
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Selection {
    fn new(from: &'static str) -> Self {
        Self {
            from,
            conditions: Vec::new(),
            params: Vec::new(),
        }
    }

    /// Adds a parameter; returns its placeholder.
    fn param(&mut self, value: Param) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    fn condition(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    fn sql(&self, select: &str, tail: &str) -> String {
        format!(
            "SELECT {select} FROM {} WHERE {} {tail}",
            self.from,
            self.conditions.join(" AND ")
        )
    }
}

/// A scope whose list, if it names one, is known to be the user's.
enum Resolved<'a> {
    All,
    List(Uuid),
    Today(Option<Uuid>),
    Upcoming(Option<Uuid>),
    Search(&'a SearchTerms, Option<Uuid>),
}

async fn resolve<'a>(db: &Db, user_id: Uuid, scope: &'a Scope) -> Result<Resolved<'a>, AppError> {
    let list = async |list: Option<ListRef>| match list {
        Some(list) => lists::find(db, user_id, list)
            .await
            .map(|found| Some(found.id)),
        None => Ok(None),
    };
    Ok(match scope {
        Scope::All => Resolved::All,
        Scope::List(reference) => Resolved::List(lists::find(db, user_id, *reference).await?.id),
        Scope::Today(reference) => Resolved::Today(list(*reference).await?),
        Scope::Upcoming(reference) => Resolved::Upcoming(list(*reference).await?),
        Scope::Search(terms, reference) => Resolved::Search(terms, list(*reference).await?),
    })
}

/// The rows of `scope` (the filter aside): its tables and conditions.
fn selection(user_id: Uuid, scope: &Resolved<'_>, today: NaiveDate) -> Selection {
    let mut selection = Selection::new("todos t");
    let owner = selection.param(Param::Uuid(user_id));
    selection.condition(format!("t.user_id = {owner}"));
    let list = match scope {
        Resolved::All => None,
        Resolved::List(list) => Some(*list),
        Resolved::Today(list) | Resolved::Upcoming(list) | Resolved::Search(_, list) => *list,
    };
    if let Some(list) = list {
        let list = selection.param(Param::Uuid(list));
        selection.condition(format!("t.list_id = {list}"));
    }
    match scope {
        Resolved::Today(_) => {
            // Due today (done or not), or earlier and still open.
            let day = selection.param(Param::Date(today));
            let open = selection.param(Param::Bool(Some(false)));
            selection.condition(format!(
                "t.due_date IS NOT NULL AND t.due_date <= {day} \
                 AND (t.due_date = {day} OR t.completed = {open})"
            ));
        }
        Resolved::Upcoming(_) => {
            let first = selection.param(Param::Date(today));
            let last = selection.param(Param::Date(upcoming_end(today)));
            selection.condition(format!(
                "t.due_date IS NOT NULL AND t.due_date >= {first} AND t.due_date <= {last}"
            ));
        }
        // For counting SQLite's matches; a page of them is `search_page`'s,
        // and PostgreSQL's are counted through `gin_matches`.
        Resolved::Search(terms, _) => {
            let query = selection.param(Param::Text(terms.fts5(user_id)));
            selection.condition(format!(
                "t.seq IN (SELECT rowid FROM todo_search WHERE todo_search MATCH {query})"
            ));
        }
        Resolved::All | Resolved::List(_) => {}
    }
    selection
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

/// Only rows after `cursor` in its order.
fn after_cursor(selection: &mut Selection, cursor: &Cursor) {
    let condition = match cursor {
        Cursor::Newest { created_at, id } => {
            let at = selection.param(Param::Timestamp(*created_at));
            let id = selection.param(Param::Uuid(*id));
            format!("(t.created_at < {at} OR (t.created_at = {at} AND t.id < {id}))")
        }
        Cursor::Manual { position } => {
            let position = selection.param(Param::Text(position.clone()));
            format!("t.position > {position}")
        }
        Cursor::Found { seq } => {
            let seq = selection.param(Param::Int(*seq));
            format!("todo_search.rowid < {seq}")
        }
        Cursor::Priority { level, position } => {
            let level = selection.param(Param::SmallInt(*level));
            let position = selection.param(Param::Text(position.clone()));
            format!("t.priority <= {level} AND (t.priority < {level} OR t.position > {position})")
        }
        Cursor::Due {
            date,
            time,
            created_at,
            id,
        } => {
            let date = selection.param(Param::Date(*date));
            let time = selection.param(Param::Time(*time));
            let at = selection.param(Param::Timestamp(*created_at));
            let id = selection.param(Param::Uuid(*id));
            // A day's todos without a time come first, then by time; at the
            // same time, oldest first, and the id settles ties.
            format!(
                "t.due_date >= {date} AND (t.due_date > {date} \
                   OR ({time} IS NULL AND t.due_time IS NOT NULL) \
                   OR ({time} IS NOT NULL AND t.due_time > {time}) \
                   OR ((({time} IS NULL AND t.due_time IS NULL) OR t.due_time = {time}) \
                       AND (t.created_at > {at} OR (t.created_at = {at} AND t.id > {id}))))"
            )
        }
    };
    selection.condition(condition);
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

async fn fetch_records(db: &Db, sql: &str, params: &[Param]) -> Result<Vec<TodoRecord>, AppError> {
    Ok(on_db!(db, pool => {
        bind_params!(sqlx::query_as::<_, TodoRecord>(sql), params)
            .fetch_all(pool)
            .await
    })?)
}

/// One page of `query`, whose list (if it names one) must be the user's:
/// another user's list answers `NotFound`, as an unknown one does.
pub async fn list(
    db: &Db,
    user_id: Uuid,
    query: &ListQuery,
    today: NaiveDate,
) -> Result<RecordPage, AppError> {
    let scope = resolve(db, user_id, &query.scope).await?;
    if let Resolved::Search(terms, list) = scope {
        return search_page(db, user_id, terms, list, query).await;
    }
    let mut selection = selection(user_id, &scope, today);
    if let Some(completed) = query.filter.completed() {
        let completed = selection.param(Param::Bool(Some(completed)));
        selection.condition(format!("t.completed = {completed}"));
    }
    let unpaged = (selection.conditions.clone(), selection.params.clone());
    if let Some(cursor) = &query.cursor {
        after_cursor(&mut selection, cursor);
    }
    // One row past the page tells whether another page follows.
    let limit = selection.param(Param::Int(
        i64::try_from(query.limit + 1).unwrap_or(i64::MAX),
    ));
    let sql = selection.sql(COLUMNS, &format!("{} LIMIT {limit}", order_by(query.order)));
    let mut rows = fetch_records(db, &sql, &selection.params).await?;

    let following = rows.get(query.limit).map(|row| row.id);
    let next_cursor = next_cursor(&mut rows, query);
    // In manual order, the todo just above this page, so its first row can
    // move up past the page's edge.
    let preceding = match (&query.cursor, rows.first(), query.order) {
        (Some(_), Some(first), Order::Manual) => {
            let (conditions, params) = unpaged;
            let mut above = Selection {
                from: selection.from,
                conditions,
                params,
            };
            let position = above.param(Param::Text(first.position.clone()));
            above.condition(format!("t.position < {position}"));
            let sql = above.sql(COLUMNS, "ORDER BY t.position DESC LIMIT 1");
            fetch_records(db, &sql, &above.params)
                .await?
                .first()
                .map(|row| row.id)
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

/// The user's matches of `terms` on PostgreSQL, with the owner compared as
/// text, so that no b-tree index leading with it can stand in for GIN's.
fn gin_matches(terms: &SearchTerms, user_id: Uuid) -> Selection {
    let mut selection = Selection::new("todos t");
    let matching = selection.param(Param::Text(terms.tsquery(user_id)));
    selection.condition(format!("t.search @@ to_tsquery('simple', {matching})"));
    let owner = selection.param(Param::Text(user_id.to_string()));
    selection.condition(format!("t.user_id::text = {owner}"));
    selection
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
) -> Result<RecordPage, AppError> {
    let invalid_cursor = || {
        AppError::Invalid("That page link is not valid; start again from the first page.".into())
            .in_field("cursor")
    };
    // The list, the filter and the cursor.
    let narrowed = |selection: &mut Selection| -> Result<(), AppError> {
        if let Some(list) = list {
            let list = selection.param(Param::Uuid(list));
            selection.condition(format!("t.list_id = {list}"));
        }
        if let Some(completed) = query.filter.completed() {
            let completed = selection.param(Param::Bool(Some(completed)));
            selection.condition(format!("t.completed = {completed}"));
        }
        match (&query.cursor, db) {
            (None, _) => {}
            (Some(cursor @ Cursor::Found { .. }), Db::Sqlite(_))
            | (Some(cursor @ Cursor::Newest { .. }), Db::Postgres(_)) => {
                after_cursor(selection, cursor)
            }
            (Some(_), _) => return Err(invalid_cursor()),
        }
        Ok(())
    };
    let page_rows = query.limit + 1;
    let mut rows = match db {
        Db::Sqlite(_) => {
            let mut selection =
                Selection::new("todo_search JOIN todos t ON t.seq = todo_search.rowid");
            let matching = selection.param(Param::Text(terms.fts5(user_id)));
            selection.condition(format!("todo_search MATCH {matching}"));
            let owner = selection.param(Param::Uuid(user_id));
            selection.condition(format!("t.user_id = {owner}"));
            narrowed(&mut selection)?;
            let limit = selection.param(Param::Int(i64::try_from(page_rows).unwrap_or(i64::MAX)));
            let sql = selection.sql(
                &format!("{COLUMNS}, todo_search.rowid AS seq"),
                &format!("ORDER BY todo_search.rowid DESC LIMIT {limit}"),
            );
            fetch_records(db, &sql, &selection.params).await?
        }
        Db::Postgres(pool) => {
            // First the GIN index alone...
            let gin_only = |columns: &str, tail: &str| -> Result<(String, Vec<Param>), AppError> {
                let mut selection = gin_matches(terms, user_id);
                narrowed(&mut selection)?;
                Ok((selection.sql(columns, tail), selection.params))
            };
            let mut tx = pool.begin().await?;
            sqlx::query(GIN_ONLY).execute(&mut *tx).await?;
            let (probe, params) = gin_only("1", &format!("LIMIT {}", SORTED_MATCHES + 1))?;
            let probe = format!("SELECT COUNT(*) FROM ({probe}) AS matches");
            let (matches,): (i64,) = bind_params!(sqlx::query_as(&probe), &params)
                .fetch_one(&mut *tx)
                .await?;
            let page = format!("{} LIMIT {page_rows}", order_by(Order::Search));
            let found: Vec<TodoRecord> = if matches <= SORTED_MATCHES as i64 {
                let (sql, params) = gin_only(COLUMNS, &page)?;
                bind_params!(sqlx::query_as(&sql), &params)
                    .fetch_all(&mut *tx)
                    .await?
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
                let mut selection = Selection::new("todos t");
                let matching = selection.param(Param::Text(terms.tsquery(user_id)));
                selection.condition(format!("t.search @@ to_tsquery('simple', {matching})"));
                let owner = selection.param(Param::Uuid(user_id));
                selection.condition(format!("t.user_id = {owner}"));
                narrowed(&mut selection)?;
                let sql = selection.sql(COLUMNS, &page);
                bind_params!(sqlx::query_as(&sql), &selection.params)
                    .fetch_all(&mut *tx)
                    .await?
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
) -> Result<TodoTotals, AppError> {
    const COUNTS: &str = "COUNT(*), COALESCE(SUM(CASE WHEN t.completed THEN 1 ELSE 0 END), 0)";
    let scope = resolve(db, user_id, &query.scope).await?;
    let (total, completed): (i64, i64) = match (db, &scope) {
        // Counted from the GIN index alone, as `search_page` reads it.
        (Db::Postgres(pool), Resolved::Search(terms, list)) => {
            let mut selection = gin_matches(terms, user_id);
            if let Some(list) = list {
                let list = selection.param(Param::Uuid(*list));
                selection.condition(format!("t.list_id = {list}"));
            }
            let sql = selection.sql(COUNTS, "");
            let mut tx = pool.begin().await?;
            sqlx::query(GIN_ONLY).execute(&mut *tx).await?;
            let counts = bind_params!(sqlx::query_as(&sql), &selection.params)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            counts
        }
        _ => {
            let selection = selection(user_id, &scope, today);
            let sql = selection.sql(COUNTS, "");
            on_db!(db, pool => {
                bind_params!(sqlx::query_as(&sql), &selection.params)
                    .fetch_one(pool)
                    .await
            })?
        }
    };
    Ok(TodoTotals {
        total,
        active: total - completed,
        completed,
    })
}

/// The user's open todos that are overdue, due today, and due in the days
/// Upcoming shows, from one range of the due-date index.
pub async fn due_counts(db: &Db, user_id: Uuid, today: NaiveDate) -> Result<DueCounts, AppError> {
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

/// One todo of the user's, or `NotFound` (also for another user's).
pub async fn get(db: &Db, user_id: Uuid, id: Uuid) -> Result<TodoRecord, AppError> {
    let row: Option<TodoRecord> = on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM todos t WHERE t.id = $1 AND t.user_id = $2"))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(AppError::NotFound)
}

/// Adds a todo at the top of its list (the Inbox unless it names one of
/// the user's), unless the user already has `limit` todos.
pub async fn create(
    db: &Db,
    user_id: Uuid,
    new: &NewTodo,
    limit: TodoLimit,
) -> Result<TodoRecord, AppError> {
    let created_at = now();
    let due = new.due;
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let count = lock_user_row!(&mut *tx, pool, user_id)?.ok_or(AppError::Unauthenticated)?;
        if !limit.admits(count, 1) {
            return Err(AppError::Conflict(format!(
                "You have {} todos, as many as one account can keep. Delete some to add more.",
                limit.0
            )));
        }
        let list = new.list.map_or(ListRef::Inbox, ListRef::Id);
        let list_id = list_id_in!(&mut *tx, user_id, list).ok_or_else(|| match list {
            ListRef::Id(_) => no_such_list("list_id"),
            ListRef::Inbox => AppError::internal("a user without an Inbox"),
        })?;
        let sequence = sequence_of_todos(db, user_id, list_id);
        let position = place_in_sequence!(&mut *tx, &sequence, None, None, None)?;
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
            seq: None,
        };
        insert_todos!(tx, user_id, std::slice::from_ref(&record));
        tx.commit().await?;
        record
    });
    Ok(record)
}

/// The todos of one of the user's lists.
pub fn sequence_of_todos(db: &Db, user_id: Uuid, list_id: Uuid) -> ordering::Sequence {
    ordering::Sequence {
        table: "todos",
        scope: "user_id = $1 AND list_id = $2",
        params: vec![Param::Uuid(user_id), Param::Uuid(list_id)],
        temporary_key: ordering::temporary_key(db),
    }
}

/// `count` keys in increasing order that all sort before `first`, a list's
/// first key (or, for an empty list, from the start): where todos added
/// together go on top of a list, in their order. `None` when the keys
/// below `first` run short (it is at or near the smallest key, or not a
/// valid key): [`keys_on_top!`] then respaces the list.
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

/// Inside a write transaction (`$tx`, `&mut` a connection) that holds the
/// user's turn, `$count` keys in increasing order for todos that go on top
/// of the user's list `$list_id`, in their order (import, undo, a deleted
/// list's todos moved to the Inbox). When the list's first key leaves no
/// room for that many, its todos are respaced first, in the same
/// transaction, so the keys are always valid.
#[macro_export]
macro_rules! keys_on_top {
    ($tx:expr, $db:expr, $user_id:expr, $list_id:expr, $count:expr) => {{
        async {
            let tx = $tx;
            let (user_id, list_id, count): (uuid::Uuid, uuid::Uuid, usize) =
                ($user_id, $list_id, $count);
            let (first,): (Option<String>,) = sqlx::query_as(
                "SELECT MIN(position) FROM todos WHERE user_id = $1 AND list_id = $2",
            )
            .bind(user_id)
            .bind(list_id)
            .fetch_one(&mut *tx)
            .await?;
            match $crate::todos::store::keys_before(first.as_deref(), count) {
                Some(keys) => Ok::<Vec<String>, $crate::error::AppError>(keys),
                None => {
                    let sequence = $crate::todos::store::sequence_of_todos($db, user_id, list_id);
                    $crate::respace_sequence!(&mut *tx, &sequence, uuid::Uuid::nil(), count)
                }
            }
        }
        .await
    }};
}

/// In a write transaction (`$tx`) on `$pool`: takes the user's turn, then
/// reads the list the user's todo `$id` is in and the list it goes to,
/// `$list` when that is one of the user's (else its own list).
macro_rules! lists_of_move {
    ($tx:expr, $pool:expr, $user_id:expr, $id:expr, $list:expr) => {{
        let (user_id, id, list): (Uuid, Uuid, Option<Uuid>) = ($user_id, $id, $list);
        lock_user_row!(&mut *$tx, $pool, user_id)?.ok_or(AppError::Unauthenticated)?;
        let current: Option<(Uuid,)> =
            sqlx::query_as("SELECT list_id FROM todos WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *$tx)
                .await?;
        let (current,) = current.ok_or(AppError::NotFound)?;
        let target = match list {
            Some(list) if list != current => list_id_in!(&mut *$tx, user_id, ListRef::Id(list))
                .ok_or_else(|| no_such_list("list_id"))?,
            _ => current,
        };
        (current, target)
    }};
}

/// The UPDATE every change runs: each field kept unless the change has it.
const UPDATE: &str = "UPDATE todos SET title = COALESCE($1, title), \
     completed = COALESCE($2, completed), notes = COALESCE($3, notes), \
     priority = COALESCE($4, priority), \
     due_date = CASE WHEN $5 THEN $6 ELSE due_date END, \
     due_time = CASE WHEN $5 THEN $7 ELSE due_time END, \
     list_id = COALESCE($8, list_id), position = COALESCE($9, position), updated_at = $10 \
     WHERE id = $11 AND user_id = $12";

/// Binds the changes to [`UPDATE`]'s parameters.
macro_rules! bind_changes {
    ($sql:expr, $changes:expr, $list_and_position:expr, $id:expr, $user_id:expr) => {{
        let changes: &TodoChanges = $changes;
        let (list, position): (Option<Uuid>, Option<String>) = $list_and_position;
        let due = changes.due.flatten();
        sqlx::query_as::<_, TodoRecord>($sql)
            .bind(changes.title.as_ref().map(TodoTitle::as_str))
            .bind(changes.completed)
            .bind(
                changes
                    .notes
                    .as_ref()
                    .map(|notes| notes.as_str().to_owned()),
            )
            .bind(changes.priority.map(Priority::level))
            .bind(changes.due.is_some())
            .bind(due.map(|due| due.date))
            .bind(due.and_then(|due| due.time))
            .bind(list)
            .bind(position)
            .bind(now())
            .bind($id)
            .bind($user_id)
    }};
}

/// Applies `changes` in one statement, so two concurrent updates each apply
/// whole; a change of list also moves the todo to the top of its new list,
/// in a transaction that takes the user's turn.
pub async fn update(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    changes: &TodoChanges,
) -> Result<TodoRecord, AppError> {
    let sql = format!("{UPDATE} RETURNING {}", COLUMNS.replace("t.", ""));
    let Some(target) = changes.list else {
        let row: Option<TodoRecord> = on_db!(db, pool => {
            bind_changes!(&sql, changes, (None, None), id, user_id)
                .fetch_optional(pool)
                .await
        })?;
        return row.ok_or(AppError::NotFound);
    };
    let sequence = sequence_of_todos(db, user_id, target);
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let (current, target) = lists_of_move!(tx, pool, user_id, id, Some(target));
        // Staying in its list, it keeps its place; in another, it goes on top.
        let position = if current == target {
            None
        } else {
            Some(place_in_sequence!(&mut *tx, &sequence, Some(id), None, None)?)
        };
        let record = bind_changes!(&sql, changes, (Some(target), position), id, user_id)
            .fetch_one(&mut *tx)
            .await?;
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
) -> Result<TodoRecord, AppError> {
    let sql = format!(
        "UPDATE todos SET list_id = $1, position = $2, updated_at = $3 \
         WHERE id = $4 AND user_id = $5 RETURNING {}",
        COLUMNS.replace("t.", "")
    );
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let (_, target) = lists_of_move!(tx, pool, user_id, id, list);
        let sequence = sequence_of_todos(db, user_id, target);
        let position = place_in_sequence!(&mut *tx, &sequence, Some(id), before, after)?;
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
pub async fn set_all_completed(
    db: &Db,
    user_id: Uuid,
    list: Option<Uuid>,
    completed: bool,
) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query(
            "UPDATE todos SET completed = $1, updated_at = $2 \
             WHERE user_id = $3 AND completed <> $1 AND ($4 IS NULL OR list_id = $4)",
        )
        .bind(completed)
        .bind(now())
        .bind(user_id)
        .bind(list)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
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
