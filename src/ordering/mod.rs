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
//! lengthen keys, by about one character per six moves, and [`place`] tells
//! when a list should get fresh, evenly spaced keys instead.
//!
//! Keys from outside (an import, a page cursor) are checked with
//! [`is_valid`], which bounds their length by [`MAX_KEY_LEN`]; the
//! arithmetic is iterative and linear in a key's length.
//!
//! Keys are compared byte-wise: SQLite's default collation, and `COLLATE "C"`
//! on the PostgreSQL columns.

/// Base 62 in ASCII order, so keys sort the same as text and as numbers.
pub const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The first key of an empty sequence.
pub const FIRST: &str = "a0";

/// The longest key accepted from anywhere (an import, a page cursor, a
/// stored neighbour): the integer part alone can be 27 characters, which
/// leaves 37 for a fraction, far more than any list needs, and it bounds
/// the work on a key before anything reads it.
pub const MAX_KEY_LEN: usize = 64;

/// Rows given their fresh key by one statement while a sequence is
/// respaced: two parameters each, well inside SQLite's 32,766 and
/// PostgreSQL's 65,535.
pub const RESPACE_ROWS_PER_STATEMENT: usize = 500;

/// Past this length a sequence is respaced (one rare write per item)
/// instead of keys growing further, so the keys this module makes stay
/// well below [`MAX_KEY_LEN`] and a key one character longer than its
/// neighbours always fits.
pub const RESPACE_PAST_LEN: usize = 48;

/// A character greater than every digit: temporary keys made of it (plus
/// something unique) cannot collide with real ones while a list is respaced.
pub const ABOVE_ALL_DIGITS: char = '~';

/// The smallest integer part. Without a fraction it is not a key, since
/// nothing could go before it; with one it is.
const SMALLEST_INTEGER: &str = "A00000000000000000000000000";

fn digit_value(byte: u8) -> Option<usize> {
    match byte {
        b'0'..=b'9' => Some(usize::from(byte - b'0')),
        b'A'..=b'Z' => Some(usize::from(byte - b'A') + 10),
        b'a'..=b'z' => Some(usize::from(byte - b'a') + 36),
        _ => None,
    }
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
    if bytes.len() > MAX_KEY_LEN {
        return None;
    }
    let len = integer_len(*bytes.first()?)?;
    if bytes.len() < len || !bytes[1..].iter().all(|&b| digit_value(b).is_some()) {
        return None;
    }
    if key == SMALLEST_INTEGER || (bytes.len() > len && bytes.ends_with(b"0")) {
        return None;
    }
    Some(key.split_at(len))
}

/// Whether `key` is one this module could have made: well formed and at
/// most [`MAX_KEY_LEN`] characters. Checks at most that many bytes.
pub fn is_valid(key: &str) -> bool {
    split(key).is_some()
}

/// The next integer part, or `None` past the largest (`z` and 26 `z`s).
fn increment(integer: &str) -> Option<String> {
    let mut bytes = integer.as_bytes().to_vec();
    let head = *bytes.first()?;
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
    let head = *bytes.first()?;
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

/// A fraction strictly between `low` and `high` (`None`: no upper bound),
/// at most one digit longer than the longer of them. Both are digit strings
/// without trailing zeros, `low < high`. One pass, no recursion: keep the
/// common prefix, then either a digit between the first differing ones, or
/// the lower digit followed by a fraction above the rest of `low`.
fn midpoint(low: &str, high: Option<&str>) -> String {
    let (mut low, mut high) = (low.as_bytes(), high.map(str::as_bytes));
    let mut digits: Vec<u8> = Vec::with_capacity(low.len().max(high.map_or(0, <[u8]>::len)) + 1);
    if let Some(upper) = high {
        // A missing digit of `low` counts as 0.
        let common = upper
            .iter()
            .enumerate()
            .take_while(|&(index, &digit)| low.get(index).copied().unwrap_or(b'0') == digit)
            .count();
        digits.extend_from_slice(&upper[..common]);
        low = low.get(common..).unwrap_or_default();
        high = Some(&upper[common..]);
    }
    loop {
        let low_digit = low.first().and_then(|&b| digit_value(b)).unwrap_or(0);
        let high_digit = high
            .and_then(|high| high.first())
            .and_then(|&b| digit_value(b))
            .unwrap_or(62);
        if high_digit > low_digit + 1 {
            digits.push(DIGITS[(low_digit + high_digit) / 2]);
            break;
        }
        // Neighbouring digits: the high digit alone, if `high` goes on past it…
        if let Some(&[first, _, ..]) = high {
            digits.push(first);
            break;
        }
        // …else the low digit, and a fraction above the rest of `low`.
        digits.push(DIGITS[low_digit]);
        low = low.get(1..).unwrap_or_default();
        high = None;
    }
    digits.into_iter().map(char::from).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not an ordering key: {0:?}")]
    Invalid(String),
    #[error("ordering keys out of order: {0:?} is not before {1:?}")]
    OutOfOrder(String, String),
    #[error("no ordering key of at most {MAX_KEY_LEN} characters fits there")]
    NoRoom,
}

/// A key as an error shows it: an invalid one can be of any length.
fn shown(key: &str) -> String {
    key.chars().take(MAX_KEY_LEN + 1).collect()
}

/// A key after `before` and before `after` (`None`: the start or the end).
/// Every key it returns is valid; when none of at most [`MAX_KEY_LEN`]
/// characters fits, [`KeyError::NoRoom`] (never when both neighbours are
/// shorter than that, since the answer is at most one character longer).
pub fn between(before: Option<&str>, after: Option<&str>) -> Result<String, KeyError> {
    fn parse(key: &str) -> Result<(&str, &str), KeyError> {
        split(key).ok_or_else(|| KeyError::Invalid(shown(key)))
    }
    let key = match (before, after) {
        (None, None) => FIRST.to_owned(),
        (None, Some(after)) => {
            let (integer, fraction) = parse(after)?;
            if integer == SMALLEST_INTEGER {
                // A valid key here has a fraction; a smaller one goes under it.
                format!("{integer}{}", midpoint("", Some(fraction)))
            } else if !fraction.is_empty() {
                integer.to_owned()
            } else {
                match decrement(integer) {
                    // The smallest integer needs a fraction to be a key.
                    Some(previous) if previous == SMALLEST_INTEGER => {
                        format!("{previous}{}", midpoint("", None))
                    }
                    Some(previous) => previous,
                    None => return Err(KeyError::Invalid(shown(after))),
                }
            }
        }
        (Some(before), None) => {
            let (integer, fraction) = parse(before)?;
            match increment(integer) {
                Some(next) => next,
                None => format!("{integer}{}", midpoint(fraction, None)),
            }
        }
        (Some(before), Some(after)) => {
            let (low_integer, low_fraction) = parse(before)?;
            let (high_integer, high_fraction) = parse(after)?;
            if before >= after {
                return Err(KeyError::OutOfOrder(before.to_owned(), after.to_owned()));
            }
            if low_integer == high_integer {
                format!(
                    "{low_integer}{}",
                    midpoint(low_fraction, Some(high_fraction))
                )
            } else {
                match increment(low_integer) {
                    Some(next) if next.as_str() < after => next,
                    _ => format!("{low_integer}{}", midpoint(low_fraction, None)),
                }
            }
        }
    };
    if key.len() > MAX_KEY_LEN {
        return Err(KeyError::NoRoom);
    }
    Ok(key)
}

/// What a sequence does to put an item between two of its stored keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Write this key.
    Key(String),
    /// Give the sequence fresh keys ([`first_keys`]) first, then ask again.
    Respace,
}

/// Where an item goes between the stored keys `low` and `high` (`None`:
/// the start or the end): a key of at most [`RESPACE_PAST_LEN`]
/// characters, else a respacing first. A stored key that is not valid (an
/// older release wrote longer ones) asks for a respacing too. Once the
/// sequence has been respaced (`respaced`), any valid key will do, and an
/// error means the sequence itself is wrong: the caller writes nothing.
pub fn place(low: Option<&str>, high: Option<&str>, respaced: bool) -> Result<Placement, KeyError> {
    match between(low, high) {
        Ok(key) if respaced || key.len() <= RESPACE_PAST_LEN => Ok(Placement::Key(key)),
        Ok(_) => Ok(Placement::Respace),
        Err(_) if !respaced => Ok(Placement::Respace),
        Err(error) => Err(error),
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

mod sequence;

pub use sequence::{PlacementRefusal, Sequence, place_in_sequence, respace_sequence};

/// Valid keys of every shape, for the property tests here and of the
/// cursor parser: any integer part, a fraction up to the maximum length.
#[cfg(test)]
pub(crate) fn valid_keys() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let digit = (0..62usize).prop_map(|value| char::from(DIGITS[value]));
    let head = prop_oneof![b'a'..=b'z', b'A'..=b'Z'];
    (head, proptest::collection::vec(digit, 0..MAX_KEY_LEN)).prop_filter_map(
        "a key",
        |(head, digits)| {
            let len = integer_len(head)?;
            let mut key: String = std::iter::once(char::from(head))
                .chain(digits)
                .take(MAX_KEY_LEN)
                .collect();
            if key.len() < len {
                return None;
            }
            // No trailing zeros in the fraction.
            while key.len() > len && key.ends_with('0') {
                key.pop();
            }
            is_valid(&key).then_some(key)
        },
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The smallest key made of an integer part alone: before it there is
    /// only the smallest integer with a fraction.
    const JUST_ABOVE_THE_SMALLEST: &str = "A00000000000000000000000001";
    const LARGEST_INTEGER: &str = "zzzzzzzzzzzzzzzzzzzzzzzzzzz";

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
    fn the_ends_of_the_key_space_take_a_fraction() {
        let floor = between(None, Some(JUST_ABOVE_THE_SMALLEST)).unwrap();
        assert_eq!(floor, format!("{SMALLEST_INTEGER}V"));
        let under = between(None, Some(&floor)).unwrap();
        assert!(is_valid(&under) && under < floor, "{under}");
        assert!(under.starts_with(SMALLEST_INTEGER), "{under}");
        let ceiling = between(Some(LARGEST_INTEGER), None).unwrap();
        assert_eq!(ceiling, format!("{LARGEST_INTEGER}V"));
        let over = between(Some(&ceiling), None).unwrap();
        assert!(is_valid(&over) && over > ceiling, "{over}");
    }

    #[test]
    fn refuses_keys_it_did_not_make_and_bounds_out_of_order() {
        let too_long = format!("a0{}", "1".repeat(MAX_KEY_LEN - 1));
        let attack = "z".repeat(100_000);
        for bad in [
            "",
            "a",
            "a00",
            "!0",
            "a0 ",
            "b0",
            SMALLEST_INTEGER,
            "a0é",
            &too_long,
            &attack,
        ] {
            assert!(!is_valid(bad), "{}", shown(bad));
            assert!(between(Some(bad), None).is_err(), "{}", shown(bad));
            assert!(between(None, Some(bad)).is_err(), "{}", shown(bad));
            assert_eq!(place(Some(bad), None, false), Ok(Placement::Respace));
        }
        assert!(is_valid(&too_long[..MAX_KEY_LEN]));
        assert!(between(Some("a2"), Some("a1")).is_err());
        assert!(between(Some("a1"), Some("a1")).is_err());
        // Nothing of at most the maximum length fits between these two.
        let wide = format!("a0{}", "1".repeat(MAX_KEY_LEN - 3));
        assert_eq!(
            between(Some(&wide), Some(&format!("{wide}1"))),
            Err(KeyError::NoRoom)
        );
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

    /// One manual order in memory, changed the way `place_in_sequence`
    /// changes the rows: each item's key, in order.
    struct Sequence {
        items: Vec<(usize, String)>,
        respacings: usize,
    }

    impl Sequence {
        fn new(keys: &[&str]) -> Self {
            let items = keys.iter().map(|key| key.to_string()).enumerate().collect();
            Self {
                items,
                respacings: 0,
            }
        }

        fn key(&self, item: usize) -> Option<String> {
            self.items
                .iter()
                .find(|(other, _)| *other == item)
                .map(|(_, key)| key.clone())
        }

        /// Puts `item` (a new one if unknown) directly after `after` and
        /// before `before`; with neither, first. The key it was given.
        fn put(&mut self, item: usize, after: Option<usize>, before: Option<usize>) -> String {
            self.items.retain(|(other, _)| *other != item);
            let mut respaced = false;
            loop {
                let (low, high) = match (after, before) {
                    (None, None) => (None, self.items.first().map(|(_, key)| key.clone())),
                    (after, before) => (
                        after.and_then(|after| self.key(after)),
                        before.and_then(|before| self.key(before)),
                    ),
                };
                match place(low.as_deref(), high.as_deref(), respaced).unwrap() {
                    Placement::Key(key) => {
                        assert!(is_valid(&key), "{key}");
                        assert!(key.len() <= RESPACE_PAST_LEN, "{key}");
                        assert!(low.is_none_or(|low| low < key), "{key}");
                        assert!(high.is_none_or(|high| key < high), "{key}");
                        let at = self.items.partition_point(|(_, other)| *other < key);
                        self.items.insert(at, (item, key.clone()));
                        return key;
                    }
                    Placement::Respace => {
                        assert!(!respaced, "respaced twice");
                        let keys = first_keys(self.items.len());
                        for ((_, key), fresh) in self.items.iter_mut().zip(keys) {
                            *key = fresh;
                        }
                        respaced = true;
                        self.respacings += 1;
                    }
                }
            }
        }

        fn in_order(&self) -> Vec<usize> {
            self.items.iter().map(|(item, _)| *item).collect()
        }
    }

    #[test]
    fn moves_into_one_gap_grow_keys_slowly_until_respaced() {
        let mut sequence = Sequence::new(&["a0", "a1", "a2"]);
        let mut moves = 0;
        while sequence.respacings == 0 {
            let (mover, other) = if moves % 2 == 0 { (2, 1) } else { (1, 2) };
            sequence.put(mover, Some(0), Some(other));
            moves += 1;
        }
        assert!(moves > 200, "respaced after only {moves} moves");
    }

    /// The same two items take turns just after a third, halving one gap
    /// over and over: the attack on key length, from ordinary keys, from
    /// the two ends of the key space and from imported keys of the
    /// maximum length.
    #[test]
    fn a_million_moves_between_the_same_neighbours_keep_every_key_valid_and_short() {
        let long = |integer: &str, fill: char| {
            format!(
                "{integer}{}",
                fill.to_string().repeat(MAX_KEY_LEN - integer.len())
            )
        };
        let starts: [Vec<String>; 4] = [
            vec!["a0".into(), "a1".into(), "a2".into()],
            vec![
                format!("{SMALLEST_INTEGER}V"),
                JUST_ABOVE_THE_SMALLEST.into(),
                "A00000000000000000000000002".into(),
            ],
            vec![
                "zzzzzzzzzzzzzzzzzzzzzzzzzzy".into(),
                LARGEST_INTEGER.into(),
                format!("{LARGEST_INTEGER}V"),
            ],
            vec![long("a0", '1'), long("a0", '2'), long("a0", '3')],
        ];
        let started = std::time::Instant::now();
        for start in starts {
            let keys: Vec<&str> = start.iter().map(String::as_str).collect();
            let mut sequence = Sequence::new(&keys);
            for round in 0..250_000 {
                let (mover, other) = if round % 2 == 0 { (2, 1) } else { (1, 2) };
                sequence.put(mover, Some(0), Some(other));
            }
            assert_eq!(sequence.in_order(), [0, 1, 2]);
            println!("{keys:?}: {} respacings", sequence.respacings);
        }
        println!("a million moves in {:?}", started.elapsed());
    }

    #[test]
    fn adding_on_top_of_an_imported_key_just_above_the_smallest_keeps_working() {
        let mut sequence = Sequence::new(&[JUST_ABOVE_THE_SMALLEST]);
        for item in 1..10_000 {
            sequence.put(item, None, None);
        }
        let order = sequence.in_order();
        assert!(
            order.windows(2).all(|pair| pair[0] > pair[1]),
            "newest first"
        );
        assert!(sequence.respacings > 0);
    }

    proptest! {
        #[test]
        fn between_two_valid_keys_is_valid_and_strictly_between(
            a in valid_keys(),
            b in valid_keys(),
        ) {
            prop_assume!(a != b);
            let (low, high) = if a < b { (a, b) } else { (b, a) };
            match between(Some(&low), Some(&high)) {
                Ok(key) => {
                    prop_assert!(is_valid(&key), "{key}");
                    prop_assert!(low < key && key < high, "{low} < {key} < {high}");
                }
                Err(error) => {
                    prop_assert_eq!(error, KeyError::NoRoom);
                    prop_assert!(low.len().max(high.len()) == MAX_KEY_LEN);
                }
            }
        }

        #[test]
        fn before_the_first_and_after_the_last_always_fit_under_the_maximum(
            key in valid_keys(),
        ) {
            prop_assume!(key.len() < MAX_KEY_LEN);
            let before = between(None, Some(&key)).unwrap();
            let after = between(Some(&key), None).unwrap();
            prop_assert!(is_valid(&before) && before < key, "{before} < {key}");
            prop_assert!(is_valid(&after) && key < after, "{key} < {after}");
        }

        #[test]
        fn keys_at_the_ends_of_the_key_space_always_have_a_key_beyond(
            fraction in "[0-9A-Za-z]{0,20}[1-9A-Za-z]",
        ) {
            let smallest = format!("{SMALLEST_INTEGER}{fraction}");
            let below = between(None, Some(&smallest)).unwrap();
            prop_assert!(is_valid(&below) && below < smallest, "{below}");
            for smallest in [JUST_ABOVE_THE_SMALLEST, &smallest] {
                let below = between(None, Some(smallest)).unwrap();
                prop_assert!(is_valid(&below) && below.as_str() < smallest, "{below}");
            }
            let largest = format!("{LARGEST_INTEGER}{fraction}");
            for largest in [LARGEST_INTEGER, &largest] {
                let above = between(Some(largest), None).unwrap();
                prop_assert!(is_valid(&above) && above.as_str() > largest, "{above}");
            }
        }

        #[test]
        fn any_text_as_a_neighbour_gives_a_valid_key_or_an_error(
            a in "[ -~]{0,80}|\\PC{0,80}",
            b in "[0-9A-Za-z]{0,80}",
        ) {
            for (before, after) in [(Some(&a), Some(&b)), (Some(&b), Some(&a)), (Some(&a), None), (None, Some(&a))] {
                if let Ok(key) = between(before.map(String::as_str), after.map(String::as_str)) {
                    prop_assert!(is_valid(&key), "{key}");
                    prop_assert!(before.is_none_or(|before| before < &key));
                    prop_assert!(after.is_none_or(|after| &key < after));
                }
            }
        }
    }
}
