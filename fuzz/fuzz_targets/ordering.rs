//! Ordering keys from outside (imports, neighbours sent to `/move`): the
//! input is two candidate keys separated by a line break. Whatever they
//! are, `between` answers without panicking and refuses an invalid key or
//! neighbours out of order; every key it makes is valid, strictly between
//! its neighbours and within the maximum length; and it finds one whenever
//! the neighbours are shorter than that maximum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskward::ordering::{self, MAX_KEY_LEN};

/// Checks what `between(before, after)` answered, given valid neighbours.
fn assert_placed(
    placed: Result<String, ordering::KeyError>,
    before: Option<&str>,
    after: Option<&str>,
) {
    let room = [before, after]
        .into_iter()
        .flatten()
        .all(|key| key.len() < MAX_KEY_LEN);
    let key = match placed {
        Ok(key) => key,
        Err(error) => {
            assert!(!room, "no key between {before:?} and {after:?}: {error}");
            return;
        }
    };
    assert!(ordering::is_valid(&key), "{key:?} is not a valid key");
    assert!(
        key.len() <= MAX_KEY_LEN,
        "{key:?} is over {MAX_KEY_LEN} characters"
    );
    assert!(
        before.is_none_or(|before| before < key.as_str()),
        "{key:?} is not after {before:?}"
    );
    assert!(
        after.is_none_or(|after| key.as_str() < after),
        "{key:?} is not before {after:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    for key in [a, b] {
        if ordering::is_valid(key) {
            assert_placed(ordering::between(None, Some(key)), None, Some(key));
            assert_placed(ordering::between(Some(key), None), Some(key), None);
        } else {
            assert!(
                ordering::between(None, Some(key)).is_err(),
                "{key:?} was taken"
            );
            assert!(
                ordering::between(Some(key), None).is_err(),
                "{key:?} was taken"
            );
        }
    }
    for (before, after) in [(a, b), (b, a)] {
        let placed = ordering::between(Some(before), Some(after));
        if ordering::is_valid(before) && ordering::is_valid(after) && before < after {
            assert_placed(placed, Some(before), Some(after));
        } else {
            assert!(placed.is_err(), "{before:?} and {after:?} were taken");
        }
    }
});
