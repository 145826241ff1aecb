//! Personal API tokens: what a script keeps instead of its owner's
//! password. A token is `tw_pat_` and 32 random bytes in base64url, shown
//! once when made; the database keeps its SHA-256 and its first characters
//! (for the owner to recognise it). It works on `/api/v1` only, with the
//! rights of its scope: `read` (GET) or `write` (todos, lists, undo,
//! import), never on what guards the account itself (tokens, password,
//! sessions, the address, administration). Deleting one, signing out
//! everywhere, changing or resetting the password, or an administrator
//! ending the account's sessions ends it; a disabled account's are refused.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What every token starts with: a script's secret scanner (and a person)
/// can tell it from a session token.
pub const TOKEN_PREFIX: &str = "tw_pat_";
/// The characters kept to show which token is which.
const DISPLAY_CHARS: usize = TOKEN_PREFIX.len() + 6;
/// A token's length: the prefix and 43 characters of base64url.
const TOKEN_CHARS: usize = TOKEN_PREFIX.len() + 43;
/// Tokens one account may keep.
pub const MAX_TOKENS_PER_ACCOUNT: i64 = 20;
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// The farthest expiry a token may be given.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read todos, lists and exports (GET).
    Read,
    /// Also change them.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn from_stored(text: &str) -> Self {
        if text == "write" {
            TokenScope::Write
        } else {
            TokenScope::Read
        }
    }
}

/// A token's secret, as made or as presented.
pub struct PersonalToken(String);

impl std::fmt::Debug for PersonalToken {
    /// Never printed: it lets someone in.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("PersonalToken(..)")
    }
}

impl PersonalToken {
    pub fn generate() -> Result<Self, AppError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(AppError::internal)?;
        Ok(Self(format!(
            "{TOKEN_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// A bearer credential that has the form of a token (and so is looked
    /// up as one, not verified as a session's JWT); `None` otherwise.
    pub fn presented(text: &str) -> Option<Self> {
        let secret = text.strip_prefix(TOKEN_PREFIX)?;
        let plausible = text.len() == TOKEN_CHARS
            && secret
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        plausible.then(|| Self(text.to_owned()))
    }

    /// Whether `text` is meant as a token (its prefix), well formed or not.
    pub fn looks_like_one(text: &str) -> bool {
        text.starts_with(TOKEN_PREFIX)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps to find it: the SHA-256, in hex.
    pub fn hash(&self) -> String {
        crate::digest::sha256_hex(&self.0)
    }

    /// What is kept to show it: the prefix and a few characters.
    pub fn display_prefix(&self) -> String {
        self.0.chars().take(DISPLAY_CHARS).collect()
    }
}

/// A token to be made, as its owner asked for it.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub name: String,
    pub scope: TokenScope,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewApiToken {
    /// A name of 1 to 100 characters without control characters, and an
    /// expiry in the future, at most ten years ahead.
    pub fn parse(
        name: &str,
        scope: TokenScope,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::Invalid(
                "Give the token a name, such as the script that uses it.".into(),
            )
            .in_field("name"));
        }
        if name.chars().count() > MAX_TOKEN_NAME_CHARS {
            return Err(AppError::Invalid(format!(
                "A token's name is at most {MAX_TOKEN_NAME_CHARS} characters."
            ))
            .in_field("name"));
        }
        if name.chars().any(char::is_control) {
            return Err(
                AppError::Invalid("A token's name is one line of text.".into()).in_field("name"),
            );
        }
        if let Some(expires_at) = expires_at {
            if expires_at <= now {
                return Err(
                    AppError::Invalid("A token's expiry must be in the future.".into())
                        .in_field("expires_at"),
                );
            }
            if expires_at > now + TimeDelta::days(MAX_TOKEN_DAYS) {
                return Err(AppError::Invalid(format!(
                    "A token expires within {MAX_TOKEN_DAYS} days at most; leave the expiry out \
                     for one that lasts until deleted."
                ))
                .in_field("expires_at"));
            }
        }
        Ok(Self {
            name: name.to_owned(),
            scope,
            expires_at,
        })
    }
}

/// A token as its owner sees it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiTokenView {
    pub id: uuid::Uuid,
    pub name: String,
    pub scope: TokenScope,
    /// Its first characters, e.g. `tw_pat_Ab3dE9`.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// To within a few minutes; `null` until first used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// `null`: until deleted.
    pub expires_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_long_unique_recognisable_and_never_printed() {
        let one = PersonalToken::generate().unwrap();
        let other = PersonalToken::generate().unwrap();
        assert_eq!(one.expose().len(), TOKEN_CHARS);
        assert!(one.expose().starts_with(TOKEN_PREFIX));
        assert_ne!(one.expose(), other.expose());
        assert_ne!(one.hash(), other.hash());
        assert_eq!(one.hash().len(), 64);
        assert!(one.expose().starts_with(&one.display_prefix()));
        assert_eq!(one.display_prefix().len(), DISPLAY_CHARS);
        assert!(!format!("{one:?}").contains(one.expose()));
        let presented = PersonalToken::presented(one.expose()).unwrap();
        assert_eq!(presented.hash(), one.hash());
    }

    #[test]
    fn only_text_of_a_tokens_form_is_looked_up() {
        let token = PersonalToken::generate().unwrap();
        let text = token.expose();
        assert!(PersonalToken::presented(&text[..text.len() - 1]).is_none());
        assert!(PersonalToken::presented(&format!("{text}a")).is_none());
        assert!(PersonalToken::presented(&text.replace(TOKEN_PREFIX, "tw_xyz_")).is_none());
        let with_space = format!("{} {}", &text[..20], &text[21..]);
        assert!(PersonalToken::presented(&with_space).is_none());
        assert!(PersonalToken::looks_like_one(&with_space));
        assert!(!PersonalToken::looks_like_one("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }

    #[test]
    fn names_and_expiries_are_bounded() {
        let now = Utc::now();
        let parse =
            |name: &str, expires_at| NewApiToken::parse(name, TokenScope::Read, expires_at, now);
        assert_eq!(
            parse("  backup script ", None).unwrap().name,
            "backup script"
        );
        for bad in [
            "",
            "   ",
            "line\nbreak",
            &"x".repeat(MAX_TOKEN_NAME_CHARS + 1),
        ] {
            assert!(parse(bad, None).is_err(), "{bad:?}");
        }
        assert!(parse(&"é".repeat(MAX_TOKEN_NAME_CHARS), None).is_ok());
        assert!(parse("past", Some(now - TimeDelta::seconds(1))).is_err());
        assert!(parse("far", Some(now + TimeDelta::days(MAX_TOKEN_DAYS + 1))).is_err());
        assert!(parse("month", Some(now + TimeDelta::days(30))).is_ok());
    }
}
