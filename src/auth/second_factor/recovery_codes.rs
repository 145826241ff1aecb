//! Recovery codes: ten single-use codes that stand in for the
//! authenticator when it is lost. Each is 80 random bits in Crockford's
//! base32; the database keeps only their SHA-256 (enough against a stolen
//! copy: 2^80 guesses per code), and a code used is deleted.

use super::{
    RECOVERY_CODES_PER_ACCOUNT,
    code::{RECOVERY_ALPHABET, RECOVERY_CODE_CHARS, grouped},
};
use crate::error::AppError;

/// A fresh set of codes, in canonical form (no dashes).
pub fn generate() -> Result<Vec<String>, AppError> {
    let mut bytes = [0u8; RECOVERY_CODES_PER_ACCOUNT * RECOVERY_CODE_CHARS];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(bytes
        .chunks(RECOVERY_CODE_CHARS)
        // 256 is a multiple of 32: each byte's low five bits are uniform.
        .map(|chunk| {
            chunk
                .iter()
                .map(|byte| RECOVERY_ALPHABET[usize::from(byte & 31)] as char)
                .collect()
        })
        .collect())
}

/// What the database keeps of a code (canonical form): its SHA-256 in hex.
pub fn hash(canonical: &str) -> String {
    crate::digest::sha256_hex(canonical)
}

/// The codes as the person is shown them: grouped in fours.
pub fn shown(codes: &[String]) -> Vec<String> {
    codes.iter().map(|code| grouped(code)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::second_factor::code::SecondFactorCode;

    #[test]
    fn ten_distinct_codes_each_read_back_as_typed() {
        let codes = generate().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES_PER_ACCOUNT);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
        for (code, shown) in codes.iter().zip(shown(&codes)) {
            assert_eq!(shown.len(), RECOVERY_CODE_CHARS + 3);
            assert_eq!(
                SecondFactorCode::parse(&shown),
                Some(SecondFactorCode::Recovery(code.clone()))
            );
            assert_eq!(hash(code).len(), 64);
        }
    }
}
