//! Email addresses, parsed once at the boundary.

use std::fmt;

use crate::error::AppError;

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
        let invalid = || {
            refuse(format!(
                "\u{201c}{}\u{201d} doesn't look like an email address.",
                input.trim()
            ))
        };
        if email.chars().count() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
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

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
