//! Email addresses, parsed once at the boundary.

use std::fmt;

use crate::error::AppError;

/// The longest address mail can be sent to (RFC 5321: a path of 256
/// octets, less its angle brackets), counted in characters.
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest part before the `@` (RFC 5321, 4.5.3.1.1), in bytes.
const MAX_LOCAL_PART_BYTES: usize = 64;
/// The longest label of a domain name, between two dots (RFC 1035, 2.3.4),
/// in bytes.
const MAX_DOMAIN_LABEL_BYTES: usize = 63;
/// How much of a refused address its message quotes: enough to recognise
/// it, never a whole page of text sent back.
const QUOTED_CHARS: usize = 40;

/// A syntactically valid email address, trimmed and lower-cased, so two
/// spellings of one address are one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Every interface calls the input `email`, so refusals name that field.
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let refuse = |message: String| AppError::Invalid(message).in_field("email");
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(refuse("Please enter your email address.".into()));
        }
        let chars = email.chars().count();
        if chars > MAX_EMAIL_CHARS {
            return Err(refuse(format!(
                "An email address has at most {MAX_EMAIL_CHARS} characters; this one has {chars}."
            )));
        }
        let invalid = || {
            refuse(format!(
                "\u{201c}{}\u{201d} doesn't look like an email address.",
                quoted(input.trim())
            ))
        };
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        if local.len() > MAX_LOCAL_PART_BYTES {
            return Err(refuse(format!(
                "The part of an email address before the @ has at most {MAX_LOCAL_PART_BYTES} \
                 characters."
            )));
        }
        if domain
            .split('.')
            .any(|label| label.len() > MAX_DOMAIN_LABEL_BYTES)
        {
            return Err(refuse(format!(
                "Each part of an email address's domain, between dots, has at most \
                 {MAX_DOMAIN_LABEL_BYTES} characters."
            )));
        }
        let local_ok = !local.is_empty()
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(email))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`, which a password must not contain.
    pub fn local_part(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(local, _)| local)
            .unwrap_or_default()
    }
}

/// `text` as a message quotes it: its first [`QUOTED_CHARS`] characters,
/// and an ellipsis when there is more.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}\u{2026}", &text[..cut]),
        None => text.to_owned(),
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_sent_back_keeps_room_for_the_longest_email() {
        assert_eq!(crate::context::MAX_KEPT_CHARS, MAX_EMAIL_CHARS);
    }

    #[test]
    fn valid_addresses_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Ada.Lovelace@Example.COM \n").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.local_part(), "ada.lovelace");
        assert!(Email::parse("a+tag@sub.example.co.uk").is_ok());
        assert!(Email::parse("zoë@exämple.de").is_ok());
    }

    #[test]
    fn invalid_addresses_are_refused_with_a_reason() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "ada@",
            "ada@localhost",
            "ada@@example.com",
            "ada lovelace@example.com",
            ".ada@example.com",
            "ada..l@example.com",
            "ada@-example.com",
            "ada@example..com",
            "ada@exa_mple.com",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert_eq!(error.field(), Some("email"), "{bad:?}");
            assert!(!error.to_string().is_empty(), "{bad:?}");
        }
        let too_long = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&too_long).is_err());
    }

    #[test]
    fn lengths_are_limited_as_mail_limits_them_and_the_refusal_says_which() {
        let local = "a".repeat(64);
        let labels = format!("{}.{}.{}", "b".repeat(63), "c".repeat(63), "d".repeat(57));
        let longest = format!("{local}@{labels}.com");
        assert_eq!(longest.chars().count(), MAX_EMAIL_CHARS);
        assert!(Email::parse(&longest).is_ok());
        let error = Email::parse(&format!("{local}@{labels}d.com")).unwrap_err();
        assert_eq!(error.field(), Some("email"));
        assert!(error.to_string().contains("254"), "{error}");
        let error = Email::parse(&format!("ada@{}.com", "b".repeat(64))).unwrap_err();
        assert!(error.to_string().contains("63"), "{error}");
        let error = Email::parse(&format!("{}@example.com", "a".repeat(65))).unwrap_err();
        assert!(error.to_string().contains("64"), "{error}");
    }

    #[test]
    fn a_refusal_quotes_at_most_the_first_40_characters() {
        let error = Email::parse(&format!("{} x@example.com", "w".repeat(200))).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(&format!("{}\u{2026}", "w".repeat(40))),
            "{message}"
        );
        assert!(!message.contains(&"w".repeat(41)), "{message}");
        assert!(message.chars().count() < 100, "{message}");
    }
}
