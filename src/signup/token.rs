//! Tokens carried in links (invitations, password resets): 32 random bytes
//! from the operating system, shown once in base64url in the link; the
//! database keeps their SHA-256 only, so a copy of it lets no one in.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use super::MAX_INVITE_TOKEN_CHARS;

/// A token as given in a link or a form.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl std::fmt::Debug for LinkToken {
    /// Never printed: it lets someone in.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("LinkToken(..)")
    }
}

impl LinkToken {
    /// A new, unguessable token.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token someone sent: `None` when it cannot be one (empty, too long,
    /// or not base64url), so nothing else is looked up for it.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let plausible = !text.is_empty()
            && text.len() <= MAX_INVITE_TOKEN_CHARS
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        plausible.then(|| Self(text.to_owned()))
    }

    /// The text for the link (`/signup?invite=…`, `/reset-password?token=…`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps: the SHA-256 of the token, in hex.
    pub fn hash(&self) -> String {
        crate::digest::sha256_hex(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_is_long_unique_and_reads_back() {
        let one = LinkToken::generate().unwrap();
        let other = LinkToken::generate().unwrap();
        assert_eq!(one.as_str().len(), 43);
        assert_ne!(one, other);
        assert_eq!(LinkToken::parse(one.as_str()), Some(one.clone()));
        assert_eq!(one.hash().len(), 64);
        assert_ne!(one.hash(), other.hash());
        assert!(!format!("{one:?}").contains(one.as_str()));
    }

    #[test]
    fn text_that_cannot_be_a_token_is_not_looked_up() {
        assert_eq!(LinkToken::parse(""), None);
        assert_eq!(LinkToken::parse("a b"), None);
        assert_eq!(LinkToken::parse("abc%2F"), None);
        assert_eq!(
            LinkToken::parse(&"a".repeat(MAX_INVITE_TOKEN_CHARS + 1)),
            None
        );
        assert!(LinkToken::parse(&"a".repeat(MAX_INVITE_TOKEN_CHARS)).is_some());
    }
}
