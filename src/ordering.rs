//! Ordering keys for manual order (todos in a list, lists of a user): text
//! keys that sort as plain bytes, and a new key between any two, so moving
//! one item writes one row and never renumbers the rest.
//!
//! The scheme is David Greenspan's "fractional indexing" in base 62
//! (<https://observablehq.com/@dgreensp/implementing-fractional-indexing>):
//! a key is an integer part, whose first character says how many digits
//! follow (`a` one, `b` two, … `z` 26; `Z` one, `Y` two, … `A` 26 for the
//! negative half), then an optional fraction that never ends in `0`.
//! Putting an item first or last steps the integer part, so a list that
//! grows at one end keeps short keys (10,000 additions at the top end at
//! keys of 4 characters); only repeated moves into the very same gap
//! lengthen keys, by about one character per six moves, and [`needs_respacing`]
//! tells when a list should get fresh, evenly spaced keys.
//!
//! Keys are compared byte-wise: SQLite's default collation, and `COLLATE "C"`
//! on the PostgreSQL columns.

/// Base 62 in ASCII order, so keys sort the same as text and as numbers.
pub const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The first key of an empty sequence.
pub const FIRST: &str = "a0";

/// Past this length a list's keys are respaced (one rare write per item)
/// instead of growing further.
pub const MAX_KEY_LEN: usize = 48;

/// A character greater than every digit: temporary keys made of it (plus
/// something unique) cannot collide with real ones while a list is respaced.
pub const ABOVE_ALL_DIGITS: char = '~';

/// The smallest integer part; nothing can be put before a key starting
/// with it without a fraction.
const SMALLEST_INTEGER: &str = "A00000000000000000000000000";

fn digit_value(byte: u8) -> Option<usize> {
    DIGITS.iter().position(|&digit| digit == byte)
}

/// How many characters the integer part headed by `head` has, head included.
fn integer_len(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some(usize::from(head - b'a') + 2),
        b'A'..=b'Z' => Some(usize::from(b'Z' - head) + 2),
        _ => None,
    }
}

/// A key split into its integer part and its fraction, if it is a valid key.
fn split(key: &str) -> Option<(&str, &str)> {
    let bytes = key.as_bytes();
    let len = integer_len(*bytes.first()?)?;
    if bytes.len() < len || !bytes.iter().skip(1).all(|&b| digit_value(b).is_some()) {
        return None;
    }
    let (integer, fraction) = key.split_at(len);
    if integer == SMALLEST_INTEGER || fraction.ends_with('0') {
        return None;
    }
    Some((integer, fraction))
}

/// Whether `key` is one this module could have made.
pub fn is_valid(key: &str) -> bool {
    split(key).is_some()
}

/// The next integer part, or `None` past the largest (`z` and 26 `z`s).
fn increment(integer: &str) -> Option<String> {
    let mut bytes = integer.as_bytes().to_vec();
    let head = bytes[0];
    for index in (1..bytes.len()).rev() {
        let value = digit_value(bytes[index])?;
        if value < 61 {
            bytes[index] = DIGITS[value + 1];
            return String::from_utf8(bytes).ok();
        }
        bytes[index] = b'0';
    }
    // Every digit carried over: the next integer has another head.
    match head {
        b'Z' => Some("a0".into()),
        b'z' => None,
        b'a'..=b'y' => Some(format!(
            "{}{}",
            char::from(head + 1),
            "0".repeat(bytes.len())
        )),
        // A negative head one step up has one digit less, all zeros.
        _ => Some(format!(
            "{}{}",
            char::from(head + 1),
            "0".repeat(bytes.len() - 2)
        )),
    }
}

/// The previous integer part, or `None` below the smallest.
fn decrement(integer: &str) -> Option<String> {
    let mut bytes = integer.as_bytes().to_vec();
    let head = bytes[0];
    for index in (1..bytes.len()).rev() {
        let value = digit_value(bytes[index])?;
        if value > 0 {
            bytes[index] = DIGITS[value - 1];
            return String::from_utf8(bytes).ok();
        }
        bytes[index] = b'z';
    }
    match head {
        b'a' => Some("Zz".into()),
        b'A' => None,
        b'b'..=b'z' => Some(format!(
            "{}{}",
            char::from(head - 1),
            "z".repeat(bytes.len() - 2)
        )),
        _ => Some(format!(
            "{}{}",
            char::from(head - 1),
            "z".repeat(bytes.len())
        )),
    }
}

/// A fraction strictly between `low` and `high` (`None`: no upper bound).
/// Both are digit strings without trailing zeros, `low < high`.
fn midpoint(low: &str, high: Option<&str>) -> String {
    let (low, high_bytes) = (low.as_bytes(), high.map(str::as_bytes));
    if let Some(high) = high_bytes {
        // Keep the common prefix (a missing digit of `low` counts as 0).
        let common = high
            .iter()
            .enumerate()
            .take_while(|&(index, &digit)| low.get(index).copied().unwrap_or(b'0') == digit)
            .count();
        if common > 0 {
            let rest_low = std::str::from_utf8(low.get(common..).unwrap_or_default()).unwrap_or("");
            let rest_high = std::str::from_utf8(&high[common..]).unwrap_or("");
            let prefix = std::str::from_utf8(&high[..common]).unwrap_or("");
            return format!("{prefix}{}", midpoint(rest_low, Some(rest_high)));
        }
    }
    let low_digit = low.first().and_then(|&b| digit_value(b)).unwrap_or(0);
    let high_digit = high_bytes
        .and_then(|high| high.first())
        .and_then(|&b| digit_value(b))
        .unwrap_or(62);
    if high_digit - low_digit > 1 {
        return char::from(DIGITS[(low_digit + high_digit) / 2]).to_string();
    }
    // Neighbouring digits: the high digit alone, if `high` goes on past it…
    if let Some(high) = high_bytes
        && high.len() > 1
    {
        return char::from(high[0]).to_string();
    }
    // …else the low digit and a midpoint above the rest of `low`.
    let rest_low = std::str::from_utf8(low.get(1..).unwrap_or_default()).unwrap_or("");
    format!(
        "{}{}",
        char::from(DIGITS[low_digit]),
        midpoint(rest_low, None)
    )
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not an ordering key: {0:?}")]
    Invalid(String),
    #[error("ordering keys out of order: {0:?} is not before {1:?}")]
    OutOfOrder(String, String),
}

/// A key after `before` and before `after` (`None`: the start or the end).
pub fn between(before: Option<&str>, after: Option<&str>) -> Result<String, KeyError> {
    fn parse(key: &str) -> Result<(&str, &str), KeyError> {
        split(key).ok_or_else(|| KeyError::Invalid(key.to_owned()))
    }
    match (before, after) {
        (None, None) => Ok(FIRST.to_owned()),
        (None, Some(after)) => {
            let (integer, fraction) = parse(after)?;
            if !fraction.is_empty() {
                return Ok(integer.to_owned());
            }
            Ok(match decrement(integer) {
                Some(previous) => previous,
                None => format!("{integer}{}", midpoint("", Some(fraction))),
            })
        }
        (Some(before), None) => {
            let (integer, fraction) = parse(before)?;
            Ok(match increment(integer) {
                Some(next) => next,
                None => format!("{integer}{}", midpoint(fraction, None)),
            })
        }
        (Some(before), Some(after)) => {
            if before >= after {
                return Err(KeyError::OutOfOrder(before.to_owned(), after.to_owned()));
            }
            let (low_integer, low_fraction) = parse(before)?;
            let (high_integer, high_fraction) = parse(after)?;
            if low_integer == high_integer {
                return Ok(format!(
                    "{low_integer}{}",
                    midpoint(low_fraction, Some(high_fraction))
                ));
            }
            match increment(low_integer) {
                Some(next) if next.as_str() < after => Ok(next),
                _ => Ok(format!("{low_integer}{}", midpoint(low_fraction, None))),
            }
        }
    }
}

/// `count` keys in increasing order, evenly spaced from the start: what a
/// list is given when its keys are respaced.
pub fn first_keys(count: usize) -> Vec<String> {
    let mut keys = Vec::with_capacity(count);
    let mut next = Some(FIRST.to_owned());
    while keys.len() < count {
        let Some(key) = next else { break };
        next = increment(&key);
        keys.push(key);
    }
    keys
}

/// Whether a list that was just given `key` should be respaced.
pub fn needs_respacing(key: &str) -> bool {
    key.len() > MAX_KEY_LEN
}

/// The rows one manual order is about (a list's todos, a user's lists),
/// for [`place_in_sequence!`]: the table, the SQL condition that selects
/// them with its parameters (`$1`…), and how to write a temporary key that
/// is unique to a row while the sequence is respaced.
#[cfg(feature = "ssr")]
pub struct Sequence {
    pub table: &'static str,
    pub scope: &'static str,
    pub params: Vec<crate::db::Param>,
    pub temporary_key: &'static str,
}

#[cfg(feature = "ssr")]
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
/// naming the field `before` or `after`). When the gap has become too
/// narrow, the sequence is respaced first. Callers hold the lock that
/// serialises changes to the sequence, so no two get the same key.
#[cfg(feature = "ssr")]
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
                let key = $crate::ordering::between(low.as_deref(), high.as_deref())
                    .map_err($crate::error::AppError::internal)?;
                if respaced || !$crate::ordering::needs_respacing(&key) {
                    return Ok::<String, $crate::error::AppError>(key);
                }
                // Fresh, evenly spaced keys for the others, in their order;
                // first out of the way of each other, then in place.
                let sql = format!(
                    "SELECT id FROM {table} WHERE {scope} AND id <> {} ORDER BY position",
                    sequence.next_param(1)
                );
                let ids: Vec<(uuid::Uuid,)> = $crate::bind_params!(
                    sqlx::query_as(&sql),
                    sequence.params.iter().chain([&$crate::db::Param::Uuid(moving_id)])
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
                let sql = format!(
                    "UPDATE {table} SET position = {} WHERE {scope} AND id = {}",
                    sequence.next_param(1),
                    sequence.next_param(2)
                );
                let keys = $crate::ordering::first_keys(ids.len());
                for ((id,), key) in ids.into_iter().zip(keys) {
                    $crate::bind_params!(
                        sqlx::query(&sql),
                        sequence
                            .params
                            .iter()
                            .chain([&$crate::db::Param::Text(key), &$crate::db::Param::Uuid(id)])
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                respaced = true;
            }
        }
        .await
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_keys_step_the_integer_part() {
        assert_eq!(between(None, None).unwrap(), "a0");
        assert_eq!(between(Some("a0"), None).unwrap(), "a1");
        assert_eq!(between(Some("az"), None).unwrap(), "b00");
        assert_eq!(between(None, Some("a0")).unwrap(), "Zz");
        assert_eq!(between(None, Some("Z0")).unwrap(), "Yzz");
        assert_eq!(between(Some("Zz"), None).unwrap(), "a0");
        assert_eq!(between(Some("a0"), Some("a1")).unwrap(), "a0V");
        assert_eq!(between(Some("a0"), Some("a0V")).unwrap(), "a0F");
        assert_eq!(between(Some("a1"), Some("a3")).unwrap(), "a2");
        assert_eq!(between(None, Some("a0V")).unwrap(), "a0");
        assert_eq!(first_keys(3), ["a0", "a1", "a2"]);
    }

    #[test]
    fn refuses_keys_it_did_not_make_and_bounds_out_of_order() {
        for bad in [
            "",
            "a",
            "a00",
            "!0",
            "a0 ",
            "b0",
            "A00000000000000000000000000",
        ] {
            assert!(!is_valid(bad), "{bad:?}");
            assert!(between(Some(bad), None).is_err(), "{bad:?}");
        }
        assert!(between(Some("a2"), Some("a1")).is_err());
        assert!(between(Some("a1"), Some("a1")).is_err());
    }

    /// A small deterministic generator, so the test needs no dependency.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn random_insertions_keep_every_key_valid_distinct_and_in_order() {
        let mut keys: Vec<String> = vec![between(None, None).unwrap()];
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5_000 {
            let slot = usize::try_from(xorshift(&mut state) % (keys.len() as u64 + 1)).unwrap();
            let before = slot.checked_sub(1).map(|index| keys[index].as_str());
            let after = keys.get(slot).map(String::as_str);
            let key = between(before, after).unwrap();
            assert!(is_valid(&key), "{key:?}");
            assert!(
                before.is_none_or(|before| before < key.as_str()),
                "{before:?} < {key:?}"
            );
            assert!(
                after.is_none_or(|after| key.as_str() < after),
                "{key:?} < {after:?}"
            );
            keys.insert(slot, key);
        }
        assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn adding_at_either_end_keeps_keys_short() {
        let mut first = FIRST.to_owned();
        let mut last = FIRST.to_owned();
        for _ in 0..10_000 {
            first = between(None, Some(&first)).unwrap();
            last = between(Some(&last), None).unwrap();
        }
        assert!(first.len() <= 4, "{first}");
        assert!(last.len() <= 4, "{last}");
    }

    #[test]
    fn moves_into_one_gap_grow_keys_slowly_until_respaced() {
        let (low, mut high) = ("a0".to_owned(), "a1".to_owned());
        let mut moves = 0;
        while !needs_respacing(&high) {
            high = between(Some(&low), Some(&high)).unwrap();
            moves += 1;
        }
        assert!(moves > 200, "respaced after only {moves} moves");
    }

    #[test]
    fn the_keys_the_migration_writes_are_valid_and_ordered() {
        // migrations/*/..._lists_and_todo_details.sql: 'd' and four digits.
        let key = |n: usize| {
            let digit = |place: usize| char::from(DIGITS[(n / 62usize.pow(place as u32)) % 62]);
            format!("d{}{}{}{}", digit(3), digit(2), digit(1), digit(0))
        };
        assert_eq!(key(0), "d0000");
        assert_eq!(key(62), "d0010");
        assert!(is_valid(&key(99_999)));
        assert!(key(9) < key(10) && key(61) < key(62));
        assert!(between(None, Some(&key(0))).unwrap() < key(0));
        assert!(ABOVE_ALL_DIGITS > 'z');
    }
}
