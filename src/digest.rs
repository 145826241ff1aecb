//! What the database keeps of a secret that is looked up (a link's token,
//! a personal API token, a recovery code): its SHA-256 in hex. The secrets
//! are long and random, so a fast hash is enough against a stolen copy,
//! and the lookup stays one indexed equality.

use sha2::{Digest, Sha256};

/// The SHA-256 of `secret`, as 64 lower-case hex digits.
pub fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_digest_is_the_known_one_in_lower_case_hex() {
        assert_eq!(
            super::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
