//! What an administrator types as the sign-up domains, and the invitation
//! token a link or a form carries. Whatever the bytes: no panic; the
//! domains read are few, lower case, each a plausible name, without
//! repeats, and read the same when written back; a token read is short
//! and base64url, its hash 64 hex digits; and a domain list admits an
//! address only at one of its domains.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskward::signup::{
    LinkToken, MAX_DOMAIN_CHARS, MAX_INVITE_TOKEN_CHARS, MAX_SIGNUP_DOMAINS, domain_admitted,
    parse_domains,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Ok(domains) = parse_domains(&text) {
        assert!(domains.len() <= MAX_SIGNUP_DOMAINS);
        for (n, domain) in domains.iter().enumerate() {
            assert!(domain.chars().count() <= MAX_DOMAIN_CHARS, "{domain}");
            assert!(domain.contains('.'), "{domain}");
            assert_eq!(domain, &domain.to_lowercase());
            assert!(!domain.contains(|c: char| c == ',' || c == '@' || c.is_whitespace()));
            assert!(!domains[..n].contains(domain), "{domain} twice");
        }
        assert_eq!(parse_domains(&domains.join(", ")).as_ref(), Ok(&domains));

        let email = text.trim();
        if domain_admitted(&domains, email) && !domains.is_empty() {
            let (_, domain) = email.rsplit_once('@').expect("an admitted address has an @");
            assert!(domains.iter().any(|allowed| allowed == domain));
        }
    }

    if let Some(token) = LinkToken::parse(&text) {
        let kept = token.as_str();
        assert!(!kept.is_empty() && kept.len() <= MAX_INVITE_TOKEN_CHARS);
        assert!(kept.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let hash = token.hash();
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
});
