//! Orders kept in the database: the rows one manual order is about (a
//! [`Sequence`]), and the macros that place a row in one and respace it,
//! inside the caller's write transaction. The key arithmetic is the parent
//! module's.

/// The rows one manual order is about (a list's todos, a user's lists),
/// for [`place_in_sequence!`]: the table, the SQL condition that selects
/// them with its parameters (`$1`…), and how to write a temporary key that
/// is unique to a row while the sequence is respaced.
pub struct Sequence {
    pub table: &'static str,
    pub scope: &'static str,
    pub params: Vec<crate::db::Param>,
    pub temporary_key: &'static str,
}

impl Sequence {
    /// The SQL of the scope's `n`th parameter after its own.
    pub fn next_param(&self, n: usize) -> String {
        format!("${}", self.params.len() + n)
    }
}

/// Inside a write transaction (`$tx`, `&mut` a connection), the key that
/// puts `$moving` (an id, or `None` for a new row) directly before the row
/// `$before` and/or after the row `$after` of `$sequence`; with neither, at
/// its start. The neighbours must be rows of the sequence (else an error
/// naming the field `before` or `after`). When the new key would be longer
/// than [`RESPACE_PAST_LEN`](crate::ordering::RESPACE_PAST_LEN), or a
/// neighbour's stored key is not valid, the sequence is respaced first, in
/// the same transaction; the key returned is always valid. Callers hold the
/// lock that serialises changes to the sequence, so no two get the same key.
#[macro_export]
macro_rules! place_in_sequence {
    ($tx:expr, $sequence:expr, $moving:expr, $before:expr, $after:expr) => {{
        async {
            let tx = $tx;
            let sequence: &$crate::ordering::Sequence = $sequence;
            let moving: Option<uuid::Uuid> = $moving;
            let (before, after): (Option<uuid::Uuid>, Option<uuid::Uuid>) = ($before, $after);
            // A new row has no id yet: the nil id excludes nothing.
            let moving_id = moving.unwrap_or_default();
            if moving.is_some() && (before == moving || after == moving) {
                return Err($crate::error::AppError::Invalid(
                    "Nothing can be placed next to itself.".into(),
                )
                .in_field(if before == moving { "before" } else { "after" }));
            }
            let (table, scope) = (sequence.table, sequence.scope);
            let mut respaced = false;
            loop {
                let mut neighbour_position = async |id: uuid::Uuid, field: &str| {
                    let sql = format!(
                        "SELECT position FROM {table} WHERE {scope} AND id = {}",
                        sequence.next_param(1)
                    );
                    let found: Option<(String,)> = $crate::bind_params!(
                        sqlx::query_as(&sql),
                        sequence.params.iter().chain([&$crate::db::Param::Uuid(id)])
                    )
                    .fetch_optional(&mut *tx)
                    .await?;
                    found.map(|(position,)| position).ok_or_else(|| {
                        $crate::error::AppError::Invalid(
                            "That neighbour is not in the list it would be placed in.".into(),
                        )
                        .in_field(field)
                    })
                };
                let high = match before {
                    Some(id) => Some(neighbour_position(id, "before").await?),
                    None => None,
                };
                let low = match after {
                    Some(id) => Some(neighbour_position(id, "after").await?),
                    None => None,
                };
                // The nearest position below or above one (or the first),
                // read from the (scope, position) index in order.
                let mut edge = async |last: bool, bound: Option<&String>| {
                    let (operator, direction) = if last { ("<", "DESC") } else { (">", "ASC") };
                    let mut params = vec![$crate::db::Param::Uuid(moving_id)];
                    let condition = match bound {
                        Some(position) => {
                            params.push($crate::db::Param::Text(position.clone()));
                            format!("AND position {operator} {}", sequence.next_param(2))
                        }
                        None => String::new(),
                    };
                    let sql = format!(
                        "SELECT position FROM {table} WHERE {scope} AND id <> {} {condition} \
                         ORDER BY position {direction} LIMIT 1",
                        sequence.next_param(1)
                    );
                    let found: Option<(String,)> = $crate::bind_params!(
                        sqlx::query_as(&sql),
                        sequence.params.iter().chain(params.iter())
                    )
                    .fetch_optional(&mut *tx)
                    .await?;
                    Ok::<_, $crate::error::AppError>(found.map(|(position,)| position))
                };
                let (low, high) = match (low, high) {
                    (Some(low), Some(high)) => {
                        if low >= high {
                            return Err($crate::error::AppError::Invalid(
                                "The neighbour given as after must come before the one given as before."
                                    .into(),
                            )
                            .in_field("after"));
                        }
                        (Some(low), Some(high))
                    }
                    (None, Some(high)) => (edge(true, Some(&high)).await?, Some(high)),
                    (Some(low), None) => {
                        let high = edge(false, Some(&low)).await?;
                        (Some(low), high)
                    }
                    (None, None) => (None, edge(false, None).await?),
                };
                // A key, or fresh keys first: when the gap has become too
                // narrow, or a stored neighbour is not a valid key. After a
                // respacing an error leaves the transaction unwritten.
                match $crate::ordering::place(low.as_deref(), high.as_deref(), respaced)
                    .map_err($crate::error::AppError::internal)?
                {
                    $crate::ordering::Placement::Key(key) => {
                        return Ok::<String, $crate::error::AppError>(key);
                    }
                    $crate::ordering::Placement::Respace => {}
                }
                $crate::respace_sequence!(&mut *tx, sequence, moving_id, 0)?;
                respaced = true;
            }
        }
        .await
    }};
}

/// Inside a write transaction (`$tx`, `&mut` a connection), gives the rows
/// of `$sequence` other than `$excluded` (an id; the nil id excludes
/// nothing) fresh, evenly spaced keys in their order, leaving the first
/// `$room` keys free; those free keys, in order.
#[macro_export]
macro_rules! respace_sequence {
    ($tx:expr, $sequence:expr, $excluded:expr, $room:expr) => {{
        async {
            let tx = $tx;
            let sequence: &$crate::ordering::Sequence = $sequence;
            let (excluded, room): (uuid::Uuid, usize) = ($excluded, $room);
            let (table, scope) = (sequence.table, sequence.scope);
            // First out of the way of each other, then in place.
            let sql = format!(
                "SELECT id FROM {table} WHERE {scope} AND id <> {} ORDER BY position",
                sequence.next_param(1)
            );
            let ids: Vec<(uuid::Uuid,)> = $crate::bind_params!(
                sqlx::query_as(&sql),
                sequence
                    .params
                    .iter()
                    .chain([&$crate::db::Param::Uuid(excluded)])
            )
            .fetch_all(&mut *tx)
            .await?;
            let sql = format!(
                "UPDATE {table} SET position = {} WHERE {scope}",
                sequence.temporary_key
            );
            $crate::bind_params!(sqlx::query(&sql), sequence.params.iter())
                .execute(&mut *tx)
                .await?;
            // A few statements of many rows each, not one per row: a long
            // list's respacing holds the write lock briefly.
            let mut keys = $crate::ordering::first_keys(room + ids.len());
            let taken = keys.split_off(room.min(keys.len()));
            let fresh: Vec<_> = ids.into_iter().map(|(id,)| id).zip(taken).collect();
            for chunk in fresh.chunks($crate::ordering::RESPACE_ROWS_PER_STATEMENT) {
                let values = (0..chunk.len())
                    .map(|row| {
                        format!(
                            "({}, {})",
                            sequence.next_param(2 * row + 1),
                            sequence.next_param(2 * row + 2)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "WITH fresh (fresh_id, fresh_position) AS (VALUES {values}) \
                     UPDATE {table} SET position = fresh.fresh_position FROM fresh \
                     WHERE {scope} AND {table}.id = fresh.fresh_id"
                );
                let params = chunk.iter().flat_map(|(id, key)| {
                    [
                        $crate::db::Param::Uuid(*id),
                        $crate::db::Param::Text(key.clone()),
                    ]
                });
                let params: Vec<_> = sequence.params.iter().cloned().chain(params).collect();
                $crate::bind_params!(sqlx::query(&sql), params.iter())
                    .execute(&mut *tx)
                    .await?;
            }
            Ok::<Vec<String>, $crate::error::AppError>(keys)
        }
        .await
    }};
}

/// A row's key while its sequence is respaced: above every real key and
/// unique to the row.
pub fn temporary_key(db: &crate::db::Db) -> &'static str {
    match db {
        crate::db::Db::Sqlite(_) => "'~' || hex(id)",
        crate::db::Db::Postgres(_) => "'~' || id::text",
    }
}
