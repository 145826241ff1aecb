//! List queries. Each names the owner in its WHERE clause; a change to the
//! order of a user's lists or todos runs in a write transaction that first
//! locks the user's row ([`lock_user_row`]), so concurrent changes
//! take turns and never share a position.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ListName, ListRef, ListSummary, MAX_LISTS_PER_USER};
use sqlx::{QueryBuilder, Transaction};

use crate::{
    db::{Bind, Db, Engine, StoreError, WritePool as _, lock_user_row, now},
    on_db,
    ordering::{PlacementRefusal, Sequence, place_in_sequence},
};

/// What the lists store declines to do (worded in `crate::refusals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListRefusal {
    /// `field` names a list the user does not have.
    NoSuchList {
        field: &'static str,
    },
    NameTaken {
        name: String,
    },
    /// The user has `count` lists, as many as one may keep.
    TooMany {
        count: i64,
    },
    InboxKeepsItsName,
    InboxStaysFirst,
    NothingBeforeInbox,
    Placement(PlacementRefusal),
}

impl From<PlacementRefusal> for ListRefusal {
    fn from(refusal: PlacementRefusal) -> Self {
        ListRefusal::Placement(refusal)
    }
}

type Refused = StoreError<ListRefusal>;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListRecord {
    pub id: Uuid,
    pub name: String,
    pub is_inbox: bool,
    pub position: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, is_inbox, position, created_at, updated_at";

/// A user's lists. The Inbox is first and stays there: lists move after it.
pub fn sequence_of_lists(user_id: Uuid) -> Sequence {
    Sequence {
        table: "lists",
        scope: vec![("user_id", user_id)],
    }
}

/// Inside a write transaction, the key that puts a new list after the
/// user's last one: every path that adds a list (create, import, undo)
/// takes it here, so an imported key at the very end of the key space gets
/// the lists respaced instead of leaving no room.
pub async fn position_after_last_list<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<String, StoreError<PlacementRefusal>> {
    let mut query = QueryBuilder::new("SELECT id FROM lists WHERE user_id = ");
    query.bind(user_id).push(" ORDER BY position DESC LIMIT 1");
    let last: Option<(Uuid,)> = DB::fetch_optional(tx, query).await?;
    place_in_sequence(
        tx,
        &sequence_of_lists(user_id),
        None,
        None,
        last.map(|(id,)| id),
    )
    .await
}

/// A list as every path that adds one writes it (create, sign-up's Inbox,
/// import, undo), through [`insert`], the one INSERT of the `lists` table.
#[derive(Debug, Clone)]
pub struct NewListRow<'a> {
    pub id: Uuid,
    pub name: &'a str,
    /// The name as uniqueness compares it ([`ListName::key`]).
    pub name_key: String,
    pub is_inbox: bool,
    pub position: &'a str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Inserts `row` as a list of the user `user_id`, inside the caller's
/// transaction, on either backend.
pub async fn insert<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    row: &NewListRow<'_>,
) -> Result<(), sqlx::Error> {
    let mut query = QueryBuilder::new(
        "INSERT INTO lists (id, user_id, name, name_key, is_inbox, position, created_at, \
         updated_at) VALUES (",
    );
    query
        .bind(row.id)
        .and_bind(user_id)
        .and_bind(row.name.to_owned())
        .and_bind(row.name_key.clone())
        .and_bind(row.is_inbox)
        .and_bind(row.position.to_owned())
        .and_bind(row.created_at)
        .and_bind(row.updated_at)
        .push(")");
    DB::execute(tx, query).await?;
    Ok(())
}

/// A list with its counts: how many of its todos are open, of how many.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListRow {
    pub id: Uuid,
    pub name: String,
    pub is_inbox: bool,
    pub position: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub open: i64,
    pub total: i64,
}

impl From<ListRow> for ListSummary {
    fn from(row: ListRow) -> Self {
        ListSummary {
            id: row.id.to_string(),
            name: row.name,
            inbox: row.is_inbox,
            open: row.open,
            total: row.total,
        }
    }
}

/// The user's lists in their order, the Inbox first, with their counts
/// (from the per-list index of states, not from the todos' rows).
pub async fn rows(db: &Db, user_id: Uuid) -> Result<Vec<ListRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT l.id, l.name, l.is_inbox, l.position, l.created_at, l.updated_at, \
               (SELECT COUNT(*) FROM todos t \
                 WHERE t.user_id = l.user_id AND t.list_id = l.id AND t.completed = $2) AS open, \
               (SELECT COUNT(*) FROM todos t \
                 WHERE t.user_id = l.user_id AND t.list_id = l.id) AS total \
             FROM lists l WHERE l.user_id = $1 ORDER BY l.is_inbox DESC, l.position",
        )
        .bind(user_id)
        .bind(false)
        .fetch_all(pool)
        .await
    })
}

/// The ids and names of the user's lists (at most [`MAX_LISTS_PER_USER`]
/// and the Inbox), without their counts: what quick add's `#List` is
/// looked up in.
pub async fn names(db: &Db, user_id: Uuid) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT id, name FROM lists WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(pool)
            .await
    })
}

/// The sidebar's view of [`rows`].
pub async fn summaries(db: &Db, user_id: Uuid) -> Result<Vec<ListSummary>, sqlx::Error> {
    Ok(rows(db, user_id)
        .await?
        .into_iter()
        .map(ListSummary::from)
        .collect())
}

/// One of the user's lists, or `NotFound` (also for another user's).
pub async fn find(db: &Db, user_id: Uuid, list: ListRef) -> Result<ListRecord, Refused> {
    let row: Option<ListRecord> = on_db!(db, pool => {
        match list {
            ListRef::Inbox => sqlx::query_as(&format!(
                // `TRUE` written, not bound: see `list_id_in`.
                "SELECT {COLUMNS} FROM lists WHERE user_id = $1 AND is_inbox = TRUE"
            ))
            .bind(user_id)
            .fetch_optional(pool)
            .await,
            ListRef::Id(id) => sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM lists WHERE id = $1 AND user_id = $2"
            ))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await,
        }
    })?;
    row.ok_or(StoreError::NotFound)
}

/// In a transaction, the id of the user's list `list`, or `None` when they
/// have no such list.
pub async fn list_id_in<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    list: ListRef,
) -> Result<Option<Uuid>, sqlx::Error> {
    let mut query = QueryBuilder::new("SELECT id FROM lists WHERE user_id = ");
    query.bind(user_id);
    match list {
        // Written, not bound: a bound value compared with the condition of
        // a partial index (`lists_one_inbox_per_user`) makes SQLite prepare
        // the statement again on every run (about 10 µs here).
        ListRef::Inbox => query.push(" AND is_inbox = TRUE"),
        ListRef::Id(id) => query.push(" AND id = ").bind(id),
    };
    let found: Option<(Uuid,)> = DB::fetch_optional(tx, query).await?;
    Ok(found.map(|(id,)| id))
}

/// Which of a user's lists a delete removes.
pub enum RemovingLists {
    One(Uuid),
    /// Those with ids in `first..=last` (what one import made) that hold
    /// no todos.
    EmptyInIdRange {
        first: Uuid,
        last: Uuid,
    },
}

/// Deletes the user's lists that `removing` names, in the caller's
/// transaction.
pub async fn remove_lists<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    removing: RemovingLists,
) -> Result<u64, sqlx::Error> {
    let mut delete = QueryBuilder::new("DELETE FROM lists WHERE user_id = ");
    delete.bind(user_id);
    match removing {
        RemovingLists::One(id) => delete.push(" AND id = ").bind(id),
        RemovingLists::EmptyInIdRange { first, last } => delete
            .push(" AND id BETWEEN ")
            .bind(first)
            .push(" AND ")
            .bind(last)
            .push(" AND NOT EXISTS (SELECT 1 FROM todos WHERE todos.list_id = lists.id)"),
    };
    DB::execute(tx, delete).await
}

fn name_taken(name: &ListName) -> Refused {
    StoreError::Refused(ListRefusal::NameTaken {
        name: name.as_str().to_owned(),
    })
}

/// Adds a list at the end, unless the user has as many as one may keep.
pub async fn create(db: &Db, user_id: Uuid, name: &ListName) -> Result<ListRecord, Refused> {
    let created_at = now();
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        lock_user_row(&mut tx, user_id).await?.ok_or(StoreError::NoAccount)?;
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM lists WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        if count >= MAX_LISTS_PER_USER {
            return Err(StoreError::Refused(ListRefusal::TooMany { count }));
        }
        let position = position_after_last_list(&mut tx, user_id).await.map_err(StoreError::widen)?;
        let record = ListRecord {
            id: Uuid::new_v4(),
            name: name.as_str().to_owned(),
            is_inbox: false,
            position,
            created_at,
            updated_at: created_at,
        };
        let row = NewListRow {
            id: record.id,
            name: &record.name,
            name_key: name.key(),
            is_inbox: false,
            position: &record.position,
            created_at,
            updated_at: created_at,
        };
        let inserted = insert(&mut tx, user_id, &row).await;
        match inserted {
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(name_taken(name));
            }
            other => other?,
        };
        tx.commit().await?;
        record
    });
    Ok(record)
}

/// Renames one of the user's lists; the Inbox keeps its name.
pub async fn rename(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    name: &ListName,
) -> Result<ListRecord, Refused> {
    let renamed: Result<Option<ListRecord>, sqlx::Error> = on_db!(db, pool => {
        sqlx::query_as(&format!(
            "UPDATE lists SET name = $1, name_key = $2, updated_at = $3 \
             WHERE id = $4 AND user_id = $5 AND is_inbox = $6 RETURNING {COLUMNS}"
        ))
        .bind(name.as_str())
        .bind(name.key())
        .bind(now())
        .bind(id)
        .bind(user_id)
        .bind(false)
        .fetch_optional(pool)
        .await
    });
    match renamed {
        Ok(Some(record)) => Ok(record),
        Ok(None) => {
            find(db, user_id, ListRef::Id(id)).await?;
            Err(StoreError::Refused(ListRefusal::InboxKeepsItsName))
        }
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Err(name_taken(name)),
        Err(error) => Err(error.into()),
    }
}

/// Moves one of the user's lists directly before `before` and/or after
/// `after` (other lists of theirs), or first after the Inbox; nothing goes
/// before the Inbox.
pub async fn move_list(
    db: &Db,
    user_id: Uuid,
    id: Uuid,
    before: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<ListRecord, Refused> {
    let sequence = sequence_of_lists(user_id);
    let record = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        lock_user_row(&mut tx, user_id).await?.ok_or(StoreError::NoAccount)?;
        let is_inbox: Option<(bool,)> =
            sqlx::query_as("SELECT is_inbox FROM lists WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        match is_inbox {
            None => return Err(StoreError::NotFound),
            Some((true,)) => return Err(StoreError::Refused(ListRefusal::InboxStaysFirst)),
            Some((false,)) => {}
        }
        let inbox = list_id_in(&mut tx, user_id, ListRef::Inbox).await?
            .ok_or_else(|| StoreError::broken("a user without an Inbox"))?;
        if before == Some(inbox) {
            return Err(StoreError::Refused(ListRefusal::NothingBeforeInbox));
        }
        let after = match (before, after) {
            (None, None) => Some(inbox),
            _ => after,
        };
        let position = place_in_sequence(&mut tx, &sequence, Some(id), before, after)
            .await
            .map_err(StoreError::widen)?;
        let record: ListRecord = sqlx::query_as(&format!(
            "UPDATE lists SET position = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 \
             RETURNING {COLUMNS}"
        ))
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
