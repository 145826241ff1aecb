//! Page addresses: which pages need a signed-in user, where sign-in may send
//! people back to, and query strings. Shared by server and browser.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Who may load a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Anyone,
    /// The sign-in and sign-up forms: a signed-in user is sent on.
    SignedOut,
    /// Anyone else is sent to sign in, and back after.
    SignedIn,
}

/// A page of the site: where it is, who may load it, and whether the page
/// cache keeps it (its content depends only on the user's account, lists
/// and todos).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub path: &'static str,
    pub access: Access,
    pub cached: bool,
}

/// Every page `app.rs` routes, the one place that says who may load each
/// and which are cached; the session layer and the page cache read it, and
/// a test checks it against the router's routes.
pub const PAGES: &[Page] = &[
    page("/", Access::Anyone, false),
    page("/signup", Access::SignedOut, false),
    page("/signin", Access::SignedOut, false),
    page("/signin/second-factor", Access::SignedOut, false),
    page("/forgot-password", Access::Anyone, false),
    page("/reset-password", Access::Anyone, false),
    page("/verify-email", Access::Anyone, false),
    page("/dashboard", Access::SignedIn, true),
    page("/account", Access::SignedIn, false),
    page("/account/sessions", Access::SignedIn, false),
    page("/account/security", Access::SignedIn, false),
    page("/account/notifications", Access::SignedIn, false),
    page("/admin", Access::SignedIn, false),
    page("/admin/signup", Access::SignedIn, false),
    page("/admin/invitations", Access::SignedIn, false),
    page("/admin/mail", Access::SignedIn, false),
    page("/admin/users/{id}", Access::SignedIn, false),
    page("/todos", Access::SignedIn, true),
    page("/lists", Access::SignedIn, false),
];

const fn page(path: &'static str, access: Access, cached: bool) -> Page {
    Page {
        path,
        access,
        cached,
    }
}

/// The page at `path`, if there is one. A `{name}` segment of a page's
/// path (axum's syntax, as the router lists it) stands for any one
/// non-empty segment.
pub fn page_at(path: &str) -> Option<&'static Page> {
    PAGES.iter().find(|page| path_matches(page.path, path))
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut wanted, mut given) = (pattern.split('/'), path.split('/'));
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(name), Some(segment))
                if name.starts_with('{') && name.ends_with('}') && !segment.is_empty() => {}
            (Some(name), Some(segment)) if name == segment => {}
            _ => return false,
        }
    }
}

/// What a query value keeps as it is: RFC 3986's unreserved characters, and
/// `/` so that `?next=/todos` stays readable in the address bar.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `next` if it is a path on this site, never another origin: it must start
/// with one `/` (not `//` or `/\`, which browsers read as another host) and
/// be printable ASCII (browsers percent-encode the rest), as a `Location`
/// header must be.
pub fn safe_next_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && next.bytes().all(|b| b.is_ascii_graphic())
        && !next.starts_with("//")
        && !next.contains('\\');
    ok.then_some(next)
}

/// Percent-encodes a value for a query string.
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// The decoded value of the query parameter `key` in `query` (the part
/// after `?`), if present.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.into_owned())
}

/// `url` with its query rewritten: the parameters `dropped` names left out,
/// `added` appended, the others kept in order.
pub fn with_query_changed(
    url: &str,
    dropped: impl Fn(&str) -> bool,
    added: &[(&str, &str)],
) -> String {
    let (page, query) = url.split_once('?').unwrap_or((url, ""));
    let mut rewritten = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if !dropped(&key) {
            rewritten.append_pair(&key, &value);
        }
    }
    rewritten.extend_pairs(added);
    match rewritten.finish() {
        query if query.is_empty() => page.to_owned(),
        query => format!("{page}?{query}"),
    }
}

/// `url` without the query parameters `keys`, or `None` when it has none
/// of them.
pub fn without_query_keys(url: &str, keys: &[&str]) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    keys.iter().find_map(|key| query_value(query, key))?;
    Some(with_query_changed(url, |name| keys.contains(&name), &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_segment_stands_for_one_segment_and_nothing_else() {
        assert_eq!(
            page_at("/admin/users/1f2e").map(|page| page.path),
            Some("/admin/users/{id}")
        );
        assert!(page_at("/admin/users/").is_none());
        assert!(page_at("/admin/users/a/b").is_none());
        assert!(page_at("/admin/users").is_none());
        assert_eq!(
            page_at("/admin/mail").map(|page| page.path),
            Some("/admin/mail")
        );
    }

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(
            safe_next_path("/todos?filter=active"),
            Some("/todos?filter=active")
        );
        for unsafe_next in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/x\ny",
            "javascript:alert(1)",
            "/ü",
            "/a b",
        ] {
            assert_eq!(safe_next_path(unsafe_next), None, "{unsafe_next:?}");
        }
    }

    #[test]
    fn pages_are_found_by_their_exact_path_only() {
        let access = |path| page_at(path).map(|page| page.access);
        assert_eq!(access("/todos"), Some(Access::SignedIn));
        assert_eq!(access("/account/sessions"), Some(Access::SignedIn));
        assert_eq!(access("/signin"), Some(Access::SignedOut));
        assert_eq!(access("/"), Some(Access::Anyone));
        assert_eq!(access("/todosx"), None);
        assert_eq!(access("/todos/"), None);
        assert!(page_at("/todos").unwrap().cached && !page_at("/lists").unwrap().cached);
    }

    #[test]
    fn query_values_round_trip() {
        let value = "/todos?filter=active&x=ü y+z";
        let encoded = encode_query_value(value);
        assert_eq!(encoded, "/todos%3Ffilter%3Dactive%26x%3D%C3%BC%20y%2Bz");
        assert_eq!(
            query_value(&format!("a=1&next={encoded}"), "next").as_deref(),
            Some(value)
        );
        assert_eq!(query_value("a=1", "next"), None);
        assert_eq!(query_value("next=100%", "next").as_deref(), Some("100%"));
    }

    #[test]
    fn a_query_key_is_dropped_and_the_rest_kept() {
        let url = "http://localhost:3000/todos?filter=active&edit=abc&cursor=x";
        assert_eq!(
            without_query_keys(url, &["edit"]).as_deref(),
            Some("http://localhost:3000/todos?filter=active&cursor=x")
        );
        assert_eq!(
            without_query_keys("/todos?edit=abc", &["edit", "open"]).as_deref(),
            Some("/todos")
        );
        assert_eq!(without_query_keys("/todos?editor=1", &["edit"]), None);
        assert_eq!(without_query_keys("/todos", &["edit"]), None);
    }

    #[test]
    fn a_rewritten_query_keeps_other_values_and_appends_new_ones() {
        assert_eq!(
            with_query_changed(
                "/signin?next=%2Faccount&email=old%40x.example",
                |key| key == "email",
                &[("email", "a+b@example.com")],
            ),
            "/signin?next=%2Faccount&email=a%2Bb%40example.com"
        );
    }
}
