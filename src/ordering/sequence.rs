//! Orders kept in the database: the rows one manual order is about (a
//! [`Sequence`]), and placing a row in one and respacing it, inside the
//! caller's write transaction, on either backend. The key arithmetic is the
//! parent module's.

use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{Placement, RESPACE_ROWS_PER_STATEMENT, first_keys, place};
use crate::db::{Bind, Engine, StoreError};

/// Why a row cannot go where it was asked to; `field` names the input at
/// fault (`before` or `after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementRefusal {
    NextToItself {
        field: &'static str,
    },
    NeighbourElsewhere {
        field: &'static str,
    },
    /// The row named as `after` comes after the one named as `before`.
    NeighboursReversed,
}

/// The rows one manual order is about (a list's todos, a user's lists):
/// the table, and the columns that select them with their values
/// (`user_id = …`, `list_id = …`).
pub struct Sequence {
    pub table: &'static str,
    pub scope: Vec<(&'static str, Uuid)>,
}

impl Sequence {
    /// `SELECT`/`UPDATE` text up to `WHERE` is the caller's; this adds the
    /// scope's conditions, joined by `AND`.
    fn push_scope<'q, DB: Engine>(&self, query: &mut QueryBuilder<'q, DB>) {
        for (n, (column, value)) in self.scope.iter().enumerate() {
            query
                .push(if n == 0 { " WHERE " } else { " AND " })
                .push(column)
                .push(" = ")
                .bind(*value);
        }
    }

    fn select<'q, DB: Engine>(&self, columns: &str) -> QueryBuilder<'q, DB> {
        let mut query = QueryBuilder::new(format!("SELECT {columns} FROM {}", self.table));
        self.push_scope(&mut query);
        query
    }
}

/// Inside a write transaction (`tx`), the key that puts `moving` (an id,
/// or `None` for a new row) directly before the row `before` and/or after
/// the row `after` of `sequence`; with neither, at its start. The
/// neighbours must be rows of the sequence (else a [`PlacementRefusal`]). When the new key would be longer than
/// [`RESPACE_PAST_LEN`](super::RESPACE_PAST_LEN), or a neighbour's stored
/// key is not valid, the sequence is respaced first, in the same
/// transaction; the key returned is always valid. Callers hold the lock
/// that serialises changes to the sequence, so no two get the same key.
pub async fn place_in_sequence<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    sequence: &Sequence,
    moving: Option<Uuid>,
    before: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<String, StoreError<PlacementRefusal>> {
    if moving.is_some() && (before == moving || after == moving) {
        let field = if before == moving { "before" } else { "after" };
        return Err(StoreError::Refused(PlacementRefusal::NextToItself {
            field,
        }));
    }
    // A new row has no id yet: the nil id excludes nothing.
    let moving_id = moving.unwrap_or_default();
    let mut respaced = false;
    loop {
        let high = match before {
            Some(id) => Some(neighbour_position::<DB>(tx, sequence, id, "before").await?),
            None => None,
        };
        let low = match after {
            Some(id) => Some(neighbour_position::<DB>(tx, sequence, id, "after").await?),
            None => None,
        };
        let (low, high) = match (low, high) {
            (Some(low), Some(high)) if low >= high => {
                return Err(StoreError::Refused(PlacementRefusal::NeighboursReversed));
            }
            (Some(low), Some(high)) => (Some(low), Some(high)),
            (None, Some(high)) => (
                nearest::<DB>(tx, sequence, moving_id, Below(&high)).await?,
                Some(high),
            ),
            (Some(low), None) => {
                let high = nearest::<DB>(tx, sequence, moving_id, Above(Some(&low))).await?;
                (Some(low), high)
            }
            (None, None) => (
                None,
                nearest::<DB>(tx, sequence, moving_id, Above(None)).await?,
            ),
        };
        // A key, or fresh keys first: when the gap has become too narrow,
        // or a stored neighbour is not a valid key. After a respacing an
        // error leaves the transaction unwritten.
        match place(low.as_deref(), high.as_deref(), respaced).map_err(StoreError::broken)? {
            Placement::Key(key) => return Ok(key),
            Placement::Respace => {}
        }
        respace_sequence::<DB>(tx, sequence, moving_id, 0).await?;
        respaced = true;
    }
}

async fn neighbour_position<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    sequence: &Sequence,
    id: Uuid,
    field: &'static str,
) -> Result<String, StoreError<PlacementRefusal>> {
    let mut query = sequence.select::<DB>("position");
    query.push(" AND id = ").bind(id);
    let found: Option<(String,)> = DB::fetch_optional(tx, query).await?;
    found.map(|(position,)| position).ok_or(StoreError::Refused(
        PlacementRefusal::NeighbourElsewhere { field },
    ))
}

/// Where [`nearest`] looks from: the closest key below one, or above one
/// (or the first key).
enum Side<'a> {
    Below(&'a String),
    Above(Option<&'a String>),
}
use Side::{Above, Below};

/// The nearest position on `side` of the rows other than `moving`, read
/// from the (scope, position) index in order.
async fn nearest<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    sequence: &Sequence,
    moving: Uuid,
    side: Side<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let mut query = sequence.select::<DB>("position");
    query.push(" AND id <> ").bind(moving);
    let direction = match side {
        Below(bound) => {
            query.push(" AND position < ").bind(bound.clone());
            "DESC"
        }
        Above(Some(bound)) => {
            query.push(" AND position > ").bind(bound.clone());
            "ASC"
        }
        Above(None) => "ASC",
    };
    query.push(format!(" ORDER BY position {direction} LIMIT 1"));
    let found: Option<(String,)> = DB::fetch_optional(tx, query).await?;
    Ok(found.map(|(position,)| position))
}

/// Inside a write transaction (`tx`), gives the rows of `sequence` other
/// than `excluded` (the nil id excludes nothing) fresh, evenly spaced keys
/// in their order, leaving the first `room` keys free; those free keys, in
/// order.
pub async fn respace_sequence<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    sequence: &Sequence,
    excluded: Uuid,
    room: usize,
) -> Result<Vec<String>, sqlx::Error> {
    let table = sequence.table;
    // First out of the way of each other, then in place.
    let mut query = sequence.select::<DB>("id");
    query
        .push(" AND id <> ")
        .bind(excluded)
        .push(" ORDER BY position");
    let ids: Vec<(Uuid,)> = DB::fetch_all(tx, query).await?;
    let mut query = QueryBuilder::new(format!(
        "UPDATE {table} SET position = {}",
        DB::TEMPORARY_KEY
    ));
    sequence.push_scope(&mut query);
    DB::execute(tx, query).await?;
    // A few statements of many rows each, not one per row: a long list's
    // respacing holds the write lock briefly.
    let mut keys = first_keys(room + ids.len());
    let taken = keys.split_off(room.min(keys.len()));
    let fresh: Vec<(Uuid, String)> = ids.into_iter().map(|(id,)| id).zip(taken).collect();
    for chunk in fresh.chunks(RESPACE_ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new("WITH fresh (fresh_id, fresh_position) AS (VALUES ");
        for (n, (id, key)) in chunk.iter().enumerate() {
            query
                .push(if n == 0 { "(" } else { ", (" })
                .bind(*id)
                .push(", ")
                .bind(key.clone())
                .push(")");
        }
        query.push(format!(
            ") UPDATE {table} SET position = fresh.fresh_position FROM fresh"
        ));
        sequence.push_scope(&mut query);
        query.push(format!(" AND {table}.id = fresh.fresh_id"));
        DB::execute(tx, query).await?;
    }
    Ok(keys)
}
