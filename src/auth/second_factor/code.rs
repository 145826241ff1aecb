//! What a person types at a sign-in's second step: a 6-digit code from an
//! authenticator app, or a recovery code (16 characters of Crockford's
//! base32, shown as `xxxx-xxxx-xxxx-xxxx`). Spaces and dashes are ignored
//! and case does not matter, so a code copied with its grouping, or read
//! out with `O` for `0`, still works.

/// The longest input looked at; anything longer is no code.
pub const MAX_CODE_INPUT_CHARS: usize = 64;
/// Digits in an authenticator app's code.
pub const TOTP_DIGITS: usize = 6;
/// Characters in a recovery code, without its dashes: 80 random bits.
pub const RECOVERY_CODE_CHARS: usize = 16;
/// Crockford's base32: no `i`, `l`, `o` or `u`, which read as other signs.
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A code, as typed, once read.
#[derive(Clone, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// Six digits, for the authenticator.
    Totp(String),
    /// A recovery code, in its canonical form (16 lower-case characters).
    Recovery(String),
}

impl std::fmt::Debug for SecondFactorCode {
    /// Never printed: a recovery code lets someone in.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            SecondFactorCode::Totp(_) => "Totp(..)",
            SecondFactorCode::Recovery(_) => "Recovery(..)",
        })
    }
}

impl SecondFactorCode {
    /// `None` when `input` can be neither kind of code.
    pub fn parse(input: &str) -> Option<Self> {
        if input.len() > MAX_CODE_INPUT_CHARS {
            return None;
        }
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.len() == TOTP_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Some(SecondFactorCode::Totp(compact));
        }
        recovery_form(&compact).map(SecondFactorCode::Recovery)
    }
}

/// The canonical form of a recovery code typed as `compact` (no spaces or
/// dashes): Crockford's reading, where `i` and `l` are `1` and `o` is `0`.
fn recovery_form(compact: &str) -> Option<String> {
    if compact.len() != RECOVERY_CODE_CHARS {
        return None;
    }
    compact
        .bytes()
        .map(|byte| {
            let byte = match byte.to_ascii_lowercase() {
                b'i' | b'l' => b'1',
                b'o' => b'0',
                other => other,
            };
            RECOVERY_ALPHABET.contains(&byte).then_some(byte as char)
        })
        .collect()
}

/// A recovery code as shown: four groups of four.
pub fn grouped(canonical: &str) -> String {
    in_fours(canonical, "-")
}

/// `text` (ASCII) in groups of four characters, joined by `separator`:
/// easier to read out and type.
pub fn in_fours(text: &str, separator: &str) -> String {
    text.as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn six_digits_are_an_authenticator_code_with_or_without_spacing() {
        for typed in ["123456", " 123 456 ", "123-456"] {
            assert_eq!(
                SecondFactorCode::parse(typed),
                Some(SecondFactorCode::Totp("123456".into())),
                "{typed:?}"
            );
        }
        for wrong in ["12345", "1234567", "12345a", "", "١٢٣٤٥٦"] {
            assert_eq!(SecondFactorCode::parse(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn a_recovery_code_is_read_in_any_case_grouping_and_with_look_alikes() {
        let canonical = "0123456789abcdef";
        for typed in [
            "0123-4567-89ab-cdef",
            "0123 4567 89AB CDEF",
            "O123456789abcdef",
            "0123-4567-89ab-cdef\n",
        ] {
            assert_eq!(
                SecondFactorCode::parse(typed),
                Some(SecondFactorCode::Recovery(canonical.into())),
                "{typed:?}"
            );
        }
        assert_eq!(grouped(canonical), "0123-4567-89ab-cdef");
        // `u` is not in the alphabet; 15 and 17 characters are no code.
        for wrong in [
            "0123-4567-89ab-cdeu",
            "0123456789abcde",
            "0123456789abcdef0",
        ] {
            assert_eq!(SecondFactorCode::parse(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn input_past_the_limit_is_no_code_even_if_it_would_compact_to_one() {
        let padded = format!("{}123456", " ".repeat(MAX_CODE_INPUT_CHARS));
        assert_eq!(SecondFactorCode::parse(&padded), None);
    }

    proptest! {
        #[test]
        fn any_input_parses_without_panicking_to_a_well_formed_code(input in ".{0,80}") {
            match SecondFactorCode::parse(&input) {
                None => {}
                Some(SecondFactorCode::Totp(digits)) => {
                    prop_assert_eq!(digits.len(), TOTP_DIGITS);
                    prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
                }
                Some(SecondFactorCode::Recovery(code)) => {
                    prop_assert_eq!(code.len(), RECOVERY_CODE_CHARS);
                    prop_assert!(code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)));
                }
            }
        }

        #[test]
        fn a_recovery_code_as_shown_reads_back_as_itself(
            indexes in proptest::collection::vec(0usize..32, RECOVERY_CODE_CHARS)
        ) {
            let canonical: String = indexes.iter().map(|&i| RECOVERY_ALPHABET[i] as char).collect();
            let shown = grouped(&canonical);
            prop_assert_eq!(
                SecondFactorCode::parse(&shown),
                Some(SecondFactorCode::Recovery(canonical.clone()))
            );
            prop_assert_eq!(
                SecondFactorCode::parse(&shown.to_uppercase()),
                Some(SecondFactorCode::Recovery(canonical))
            );
        }
    }
}
