//! Who may make an account: the instance's sign-up policy (open, by
//! invitation, closed; optionally only some email domains) and the
//! invitations administrators hand out. Below `auth`, which asks it at
//! sign-up inside the account's own transaction.

use serde::{Deserialize, Serialize};

/// How the instance takes new accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SignupMode {
    /// Anyone may sign up (with an invitation too, for its role).
    #[default]
    Open,
    /// Only with a valid invitation.
    Invite,
    /// No new accounts, invitations or not.
    Closed,
}

impl SignupMode {
    pub const ALL: [SignupMode; 3] = [SignupMode::Open, SignupMode::Invite, SignupMode::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            SignupMode::Open => "open",
            SignupMode::Invite => "invite",
            SignupMode::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == text)
    }

    /// In words, for the console.
    pub fn describe(self) -> &'static str {
        match self {
            SignupMode::Open => "Open: anyone can make an account",
            SignupMode::Invite => "By invitation: only with an invitation link",
            SignupMode::Closed => "Closed: no new accounts",
        }
    }
}

/// Whose accounts must have a second factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SecondFactorPolicy {
    /// Nobody's: each account chooses.
    #[default]
    None,
    /// Administrators'.
    Admins,
    /// Every account's.
    Everyone,
}

impl SecondFactorPolicy {
    pub const ALL: [SecondFactorPolicy; 3] = [
        SecondFactorPolicy::None,
        SecondFactorPolicy::Admins,
        SecondFactorPolicy::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactorPolicy::None => "none",
            SecondFactorPolicy::Admins => "admins",
            SecondFactorPolicy::Everyone => "everyone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|policy| policy.as_str() == text)
    }

    /// A stored value; the column's CHECK admits the three names only.
    pub fn from_stored(text: &str) -> Self {
        Self::parse(text).unwrap_or_default()
    }

    /// Whether it requires a second factor of an account (an
    /// administrator's, when `admin`).
    pub fn covers(self, admin: bool) -> bool {
        match self {
            SecondFactorPolicy::None => false,
            SecondFactorPolicy::Admins => admin,
            SecondFactorPolicy::Everyone => true,
        }
    }

    /// In words, for the console.
    pub fn describe(self) -> &'static str {
        match self {
            SecondFactorPolicy::None => "Nobody: each person chooses",
            SecondFactorPolicy::Admins => "Administrators",
            SecondFactorPolicy::Everyone => "Everyone",
        }
    }
}

/// The query key of the console page a new invitation's token returns to
/// (after a form post without JavaScript), to show its link once.
pub const NEW_INVITATION_QUERY_KEY: &str = "new_invitation";

/// The most email domains sign-up can be limited to.
pub const MAX_SIGNUP_DOMAINS: usize = 50;
/// The longest domain name DNS allows.
pub const MAX_DOMAIN_CHARS: usize = 253;

/// The longest invitation token read from a link or a form; a real one is
/// 43 characters (32 random bytes, base64url).
pub const MAX_INVITE_TOKEN_CHARS: usize = 64;
/// An invitation's uses: 1 by default, at most this many.
pub const MAX_INVITE_USES: u32 = 1_000;
/// An invitation's lifetime in days: 7 by default, at most this many.
pub const MAX_INVITE_DAYS: u32 = 90;
pub const DEFAULT_INVITE_DAYS: u32 = 7;
/// Invitations that can be usable at once: past it, an administrator
/// revokes some (or lets them expire) before making more.
pub const MAX_USABLE_INVITATIONS: i64 = 1_000;

/// What the sign-up page shows before anyone types: the form, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignupGate {
    /// The form, with the invitation's token when there is one, and the
    /// address it is bound to.
    Form {
        invite: Option<String>,
        email: Option<String>,
    },
    /// No form: the sentence that says why.
    Refused(String),
}

/// Parses the domains an administrator typed (separated by commas, spaces
/// or new lines; `@` before one is dropped) into the stored list: lower
/// case, without repeats, each a plausible domain name.
pub fn parse_domains(text: &str) -> Result<Vec<String>, String> {
    let mut domains: Vec<String> = Vec::new();
    for part in text.split(|c: char| c == ',' || c.is_whitespace()) {
        let domain = part.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let plausible = domain.chars().count() <= MAX_DOMAIN_CHARS
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !plausible {
            let shown: String = domain.chars().take(40).collect();
            return Err(format!(
                "\u{201c}{shown}\u{201d} is not a domain like example.com."
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
        if domains.len() > MAX_SIGNUP_DOMAINS {
            return Err(format!(
                "Sign-up can be limited to at most {MAX_SIGNUP_DOMAINS} domains."
            ));
        }
    }
    Ok(domains)
}

/// Whether `email` (as parsed: lower case) is at one of `domains`, or
/// `domains` is empty (any domain).
pub fn domain_admitted(domains: &[String], email: &str) -> bool {
    domains.is_empty()
        || email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domains.iter().any(|allowed| allowed == domain))
}

#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod token;
#[cfg(feature = "ssr")]
pub use token::LinkToken;

/// The link an invitation is used through, on the instance's public
/// origin (e.g. `https://todo.example.com/signup?invite=…`).
#[cfg(feature = "ssr")]
pub fn invitation_url(public_origin: &str, token: &LinkToken) -> String {
    format!(
        "{}/signup?invite={}",
        public_origin.trim_end_matches('/'),
        token.as_str()
    )
}

/// The invitation field of a sign-up: `None` when absent or empty; a
/// refusal, before anything is looked up, when it cannot be a token.
#[cfg(feature = "ssr")]
pub fn invite_field(text: Option<&str>) -> Result<Option<LinkToken>, store::SignupRefusal> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => LinkToken::parse(text)
            .map(Some)
            .ok_or(store::SignupRefusal::Invitation(
                store::InvitationProblem::Unknown,
            )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_read_in_any_separator_and_case_without_repeats() {
        assert_eq!(
            parse_domains(" Example.COM, @team.example.org\nexample.com ").unwrap(),
            vec!["example.com", "team.example.org"]
        );
        assert_eq!(parse_domains("").unwrap(), Vec::<String>::new());
        assert!(parse_domains("localhost").is_err());
        assert!(parse_domains("exa mple.com").is_err());
        assert!(parse_domains("-bad.com").is_err());
        assert!(parse_domains("a..com").is_err());
        let many: Vec<String> = (0..=MAX_SIGNUP_DOMAINS)
            .map(|n| format!("d{n}.com"))
            .collect();
        assert!(parse_domains(&many.join(",")).is_err());
    }

    proptest::proptest! {
        /// What was read reads back the same, whatever was typed.
        #[test]
        fn domains_read_back_as_they_were_read(text in "\\PC{0,300}") {
            if let Ok(domains) = parse_domains(&text) {
                proptest::prop_assert!(domains.len() <= MAX_SIGNUP_DOMAINS);
                proptest::prop_assert_eq!(parse_domains(&domains.join(" ")), Ok(domains));
            }
        }

        /// Plausible domains, in any case and with any separators, are read
        /// lower case and in order.
        #[test]
        fn plausible_domains_are_read_lower_case(
            labels in proptest::collection::vec("[a-zA-Z0-9]{1,12}\\.[a-zA-Z]{2,6}", 1..10),
            separator in "[ ,\n]{1,3}",
        ) {
            let mut expected: Vec<String> = Vec::new();
            for label in &labels {
                let lower = label.to_lowercase();
                if !expected.contains(&lower) {
                    expected.push(lower);
                }
            }
            proptest::prop_assert_eq!(parse_domains(&labels.join(&separator)), Ok(expected));
        }
    }

    #[test]
    fn a_domain_list_admits_its_domains_only() {
        let domains = vec!["example.com".to_owned()];
        assert!(domain_admitted(&domains, "ann@example.com"));
        assert!(!domain_admitted(&domains, "ann@sub.example.com"));
        assert!(!domain_admitted(&domains, "ann@example.com.evil.org"));
        assert!(domain_admitted(&[], "ann@anything.org"));
    }
}
