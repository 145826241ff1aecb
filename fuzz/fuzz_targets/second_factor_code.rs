//! What someone types at a sign-in's second step (an authenticator's code
//! or a recovery code). Whatever the bytes: no panic; a code read is six
//! digits or a canonical recovery code (16 characters of Crockford's
//! base32), read the same again from its grouped form; and input past the
//! limit is no code at all.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskward::auth::second_factor::code::{
    MAX_CODE_INPUT_CHARS, RECOVERY_ALPHABET, RECOVERY_CODE_CHARS, SecondFactorCode, TOTP_DIGITS,
    grouped,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let code = SecondFactorCode::parse(&text);
    if text.len() > MAX_CODE_INPUT_CHARS {
        assert!(code.is_none());
    }
    match code {
        None => {}
        Some(SecondFactorCode::Totp(digits)) => {
            assert_eq!(digits.len(), TOTP_DIGITS);
            assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(
                SecondFactorCode::parse(&digits),
                Some(SecondFactorCode::Totp(digits.clone()))
            );
        }
        Some(SecondFactorCode::Recovery(canonical)) => {
            assert_eq!(canonical.len(), RECOVERY_CODE_CHARS);
            assert!(canonical.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)));
            assert_eq!(
                SecondFactorCode::parse(&grouped(&canonical)),
                Some(SecondFactorCode::Recovery(canonical.clone()))
            );
        }
    }
});
