//! Where sign-in may send people back to. Shared by server and browser.

/// Pages that need a signed-in user.
pub const PROTECTED_PATHS: &[&str] = &["/dashboard", "/todos", "/account"];

/// `next` if it is a path on this site, never another origin: it must start
/// with one `/` (not `//` or `/\`, which browsers read as another host) and
/// be printable ASCII (browsers percent-encode the rest), as a `Location`
/// header must be.
pub fn safe_next_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && next.bytes().all(|b| b.is_ascii_graphic())
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

/// Percent-encodes a query value (RFC 3986 unreserved characters and `/`
/// stay as they are).
pub fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// Reverses [`encode_query_value`] (and reads `+` as a space).
pub fn decode_query_value(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |byte: u8| (byte as char).to_digit(16);
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    decoded.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => decoded.push(b'%'),
            },
            b'+' => decoded.push(b' '),
            other => decoded.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// `url` split into the part before its query and the query's `key=value`
/// pairs, in order, leaving out those whose key `dropped` names.
pub fn query_pairs_without(url: &str, dropped: impl Fn(&str) -> bool) -> (&str, Vec<&str>) {
    let (page, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !dropped(pair.split('=').next().unwrap_or_default()))
        .collect();
    (page, pairs)
}

/// `page` with `pairs` as its query (none when there are no pairs).
pub fn with_query(page: &str, pairs: &[impl AsRef<str>]) -> String {
    if pairs.is_empty() {
        return page.to_owned();
    }
    let query: Vec<&str> = pairs.iter().map(AsRef::as_ref).collect();
    format!("{page}?{}", query.join("&"))
}

/// `url` without the query parameter `key`, or `None` when it has none.
/// The rest of the URL, including the order of the other parameters, is
/// kept as it was.
pub fn without_query_key(url: &str, key: &str) -> Option<String> {
    let (page, rest) = query_pairs_without(url, |name| name == key);
    let (_, every_pair) = query_pairs_without(url, |_| false);
    (rest.len() < every_pair.len()).then(|| with_query(page, &rest))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn query_values_round_trip() {
        let value = "/todos?filter=active&x=ü y";
        let encoded = encode_query_value(value);
        assert_eq!(encoded, "/todos%3Ffilter%3Dactive%26x%3D%C3%BC%20y");
        assert_eq!(decode_query_value(&encoded), value);
        assert_eq!(decode_query_value("100%"), "100%");
        assert_eq!(decode_query_value("%zzé%4"), "%zzé%4");
    }

    #[test]
    fn a_query_key_is_dropped_and_the_rest_kept() {
        let url = "http://localhost:3000/todos?filter=active&edit=abc&cursor=x";
        assert_eq!(
            without_query_key(url, "edit").as_deref(),
            Some("http://localhost:3000/todos?filter=active&cursor=x")
        );
        assert_eq!(
            without_query_key("/todos?edit=abc", "edit").as_deref(),
            Some("/todos")
        );
        assert_eq!(without_query_key("/todos?editor=1", "edit"), None);
        assert_eq!(without_query_key("/todos", "edit"), None);
    }
}
