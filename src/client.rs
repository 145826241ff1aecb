//! Who is asking: the client's address, by the trusted-proxy rules, and a
//! short summary of its device from the user agent. The web layer resolves
//! both once per request ([`Client::resolve`]) and stores them in the
//! request's extensions, where the server functions and the JSON API read
//! them.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::http::{HeaderMap, HeaderValue, header};

/// The address budgets and the security log attribute a request to, and
/// what it was sent from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub address: IpAddr,
    /// E.g. "Firefox on Linux"; "Unknown device" without a user agent.
    pub device: String,
}

impl Client {
    /// The address is the TCP peer, or, when that peer is a trusted proxy,
    /// what [`forwarded_client`] reads in `X-Forwarded-For`.
    pub fn resolve(peer: SocketAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> Self {
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Self {
            address: client_address(peer.ip(), headers, trusted_proxies),
            device: device_summary(user_agent),
        }
    }

    /// For work done outside any request (the command line).
    pub fn command_line() -> Self {
        Self {
            address: IpAddr::from([127, 0, 0, 1]),
            device: "Command line".into(),
        }
    }
}

fn client_address(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    let lines: Vec<&[u8]> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    forwarded_client(peer, &lines, trusted_proxies)
}

/// Entries of `X-Forwarded-For` examined, from the right: one per proxy
/// hop, and no deployment chains this many proxies. Past them the client
/// is taken to be the last proxy examined.
pub const MAX_FORWARDED_HOPS: usize = 16;

/// The longest entry read as an address, spaces around it included: the
/// longest form, `[` + an IPv6 address with an IPv4 tail + `]:65535`, is
/// 54 characters. A longer entry is not an address, and the search for its
/// start stops here, so at most `MAX_FORWARDED_HOPS` × 65 bytes of the
/// header are read whatever its size.
pub const MAX_HOP_LENGTH: usize = 64;

/// The client's address, from the TCP `peer` and the `X-Forwarded-For`
/// lines in the order received (public for the fuzz target).
///
/// Each proxy appends the address it was reached from, so an entry is only
/// as trustworthy as the hop to its right. Walking right to left from the
/// peer, while the hop is a trusted proxy its entry is believed: the first
/// entry that is not a trusted proxy is the client. An entry that is not
/// an address (`unknown`, an obfuscated name, something too long) ends the
/// walk too, never skipped: the trusted proxy that wrote it did not know
/// its client, so the client is taken to be that proxy (the nearest
/// trusted hop), and nothing written further left, by anyone, counts. Such
/// clients share that proxy's budget; an attacker gains nothing by it.
/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, as a dual-stack
/// listener reports IPv4 peers) are compared and returned as IPv4.
pub fn forwarded_client(
    peer: IpAddr,
    forwarded_for: &[&[u8]],
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    let is_trusted = |address: IpAddr| {
        trusted_proxies
            .iter()
            .any(|proxy| proxy.to_canonical() == address)
    };
    let mut nearest_trusted = peer.to_canonical();
    if !is_trusted(nearest_trusted) {
        return nearest_trusted;
    }
    for hop in hops_from_the_right(forwarded_for).take(MAX_FORWARDED_HOPS) {
        match hop.and_then(parse_hop) {
            Some(address) if is_trusted(address) => nearest_trusted = address,
            Some(client) => return client,
            None => return nearest_trusted,
        }
    }
    nearest_trusted
}

/// One `X-Forwarded-For` entry as an address: `192.0.2.1`,
/// `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:4711`, with spaces around; IPv4-mapped addresses as IPv4.
/// Anything else is `None`.
pub fn parse_hop(hop: &[u8]) -> Option<IpAddr> {
    if hop.len() > MAX_HOP_LENGTH {
        return None;
    }
    let hop = std::str::from_utf8(hop.trim_ascii()).ok()?;
    let address = hop
        .parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            let bracketed = hop.strip_prefix('[')?.strip_suffix(']')?;
            bracketed.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
        })?;
    Some(address.to_canonical())
}

/// The entries of the header's lines from the right (the last line is the
/// nearest proxy's): `None` for one longer than [`MAX_HOP_LENGTH`], whose
/// start is not searched for.
fn hops_from_the_right<'a>(lines: &'a [&'a [u8]]) -> impl Iterator<Item = Option<&'a [u8]>> {
    lines.iter().rev().flat_map(|line| {
        let mut rest = Some(*line);
        std::iter::from_fn(move || {
            let line = rest?;
            let window = line.len().saturating_sub(MAX_HOP_LENGTH + 1);
            match line[window..].iter().rposition(|byte| *byte == b',') {
                Some(at) => {
                    let comma = window + at;
                    rest = Some(&line[..comma]);
                    Some(Some(&line[comma + 1..]))
                }
                None => {
                    rest = None;
                    Some((window == 0).then_some(line))
                }
            }
        })
    })
}

/// "Browser on system" from a user agent, enough for a person to recognise
/// their own devices; the order of the checks matters (Edge and Chrome
/// also say "Safari", Chrome on iOS says "CriOS").
pub fn device_summary(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 8] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(token, _)| user_agent.contains(token))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) if user_agent.is_empty() => "Unknown device".into(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Found by `scripts/fuzz` (target `forwarded_for`) in the release
    /// before this one, which skipped the entry it could not read and took
    /// the one its client wrote.
    #[test]
    fn fuzz_regression_an_unreadable_nearest_entry_is_not_skipped() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let line: &[u8] = b"::ffff:192.0.2.44, 12.0.2.44, 10.0.0.0.2";
        assert_eq!(forwarded_client(proxy, &[line], &[proxy]), proxy);
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "198.51.100.7, 10.0.0.2".parse().unwrap());
        let proxy: SocketAddr = "10.0.0.2:4000".parse().unwrap();
        let trusted: Vec<IpAddr> = vec!["10.0.0.2".parse().unwrap()];

        assert_eq!(Client::resolve(proxy, &headers, &[]).address, proxy.ip());
        assert_eq!(
            Client::resolve(proxy, &headers, &trusted).address,
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let stranger: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        assert_eq!(
            Client::resolve(stranger, &headers, &trusted).address,
            stranger.ip()
        );
    }

    const PROXY: &str = "10.0.0.2";

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// The client as seen through the trusted proxy `PROXY` (the peer),
    /// with these `X-Forwarded-For` lines.
    fn through_proxy(lines: &[&str]) -> IpAddr {
        let lines: Vec<&[u8]> = lines.iter().map(|line| line.as_bytes()).collect();
        forwarded_client(ip(PROXY), &lines, &[ip(PROXY)])
    }

    #[test]
    fn an_address_with_a_port_appended_by_the_proxy_is_the_client() {
        assert_eq!(
            through_proxy(&["6.6.6.6, 198.51.100.7:4711"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            through_proxy(&["6.6.6.6, [2001:db8::7]:4711"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            through_proxy(&["6.6.6.6, [2001:db8::7]"]),
            ip("2001:db8::7")
        );
        assert_eq!(through_proxy(&["6.6.6.6,2001:db8::7"]), ip("2001:db8::7"));
    }

    #[test]
    fn an_entry_that_is_not_an_address_ends_the_walk_at_the_proxy_that_wrote_it() {
        for not_an_address in [
            "unknown",
            "_hidden",
            "",
            "198.51.100.7:99999",
            "[2001:db8::7",
            "fe80::1%eth0",
            "198.51.100.7 198.51.100.8",
        ] {
            let line = format!("6.6.6.6, {not_an_address}");
            assert_eq!(through_proxy(&[&line]), ip(PROXY), "{line:?}");
        }
        // Written by a second trusted proxy: the client is that proxy.
        let lines: [&[u8]; 1] = [b"6.6.6.6, unknown, 10.0.0.3"];
        let trusted = [ip(PROXY), ip("10.0.0.3")];
        assert_eq!(
            forwarded_client(ip(PROXY), &lines, &trusted),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn a_line_that_is_not_text_does_not_hide_the_proxys_entry() {
        let lines: [&[u8]; 2] = [b"6.6.6.6", b"\xff\xfe, 198.51.100.7"];
        assert_eq!(
            forwarded_client(ip(PROXY), &lines, &[ip(PROXY)]),
            ip("198.51.100.7")
        );
        let lines: [&[u8]; 2] = [b"6.6.6.6", b"\xff\xfe"];
        assert_eq!(forwarded_client(ip(PROXY), &lines, &[ip(PROXY)]), ip(PROXY));
    }

    #[test]
    fn the_walk_goes_through_every_trusted_proxy_and_its_own_lines() {
        let trusted = [ip(PROXY), ip("10.0.0.3")];
        let lines: [&[u8]; 2] = [b"6.6.6.6, 198.51.100.7", b"10.0.0.3:80"];
        assert_eq!(
            forwarded_client(ip(PROXY), &lines, &trusted),
            ip("198.51.100.7")
        );
        // Every entry a trusted proxy: the furthest of them asked.
        let lines: [&[u8]; 1] = [b"10.0.0.3"];
        assert_eq!(
            forwarded_client(ip(PROXY), &lines, &trusted),
            ip("10.0.0.3")
        );
        assert_eq!(forwarded_client(ip(PROXY), &[], &trusted), ip(PROXY));
    }

    #[test]
    fn ipv4_mapped_addresses_are_compared_and_kept_as_ipv4() {
        let lines: [&[u8]; 1] = [b"6.6.6.6, ::ffff:198.51.100.7, ::ffff:10.0.0.3"];
        let trusted = [ip(PROXY), ip("10.0.0.3")];
        // The peer as a dual-stack listener reports it.
        assert_eq!(
            forwarded_client(ip("::ffff:10.0.0.2"), &lines, &trusted),
            ip("198.51.100.7")
        );
        // A mapped proxy in the list matches the IPv4 peer too.
        assert_eq!(
            forwarded_client(ip(PROXY), &lines, &[ip("::ffff:10.0.0.2"), ip("10.0.0.3")]),
            ip("198.51.100.7")
        );
        // An untrusted peer's mapped address is its IPv4 one.
        assert_eq!(
            forwarded_client(ip("::ffff:192.0.2.1"), &lines, &trusted),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn no_more_than_the_stated_number_of_entries_is_examined() {
        let proxies: Vec<String> = (1..=MAX_FORWARDED_HOPS + 1)
            .map(|n| format!("10.0.1.{n}"))
            .collect();
        let mut trusted: Vec<IpAddr> = proxies.iter().map(|proxy| ip(proxy)).collect();
        trusted.push(ip(PROXY));
        let line = format!("198.51.100.7, {}", proxies.join(", "));
        let lines: [&[u8]; 1] = [line.as_bytes()];
        // The client is one entry further than the walk goes: the last
        // proxy examined stands for it.
        assert_eq!(
            forwarded_client(ip(PROXY), &lines, &trusted),
            ip(&proxies[1])
        );
    }

    #[test]
    fn an_entry_longer_than_any_address_is_not_one() {
        let padded = format!("6.6.6.6,{}198.51.100.7", " ".repeat(MAX_HOP_LENGTH));
        assert_eq!(through_proxy(&[&padded]), ip(PROXY));
        let huge = format!("{}, 198.51.100.7", "9".repeat(100_000));
        assert_eq!(through_proxy(&[&huge]), ip("198.51.100.7"));
        assert_eq!(through_proxy(&[&"9".repeat(100_000)]), ip(PROXY));
        assert_eq!(
            parse_hop(" [ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535 ".as_bytes()),
            Some(ip("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"))
        );
    }

    /// Any address, written as a proxy may append it.
    fn written_address() -> impl Strategy<Value = (IpAddr, String)> {
        (any::<IpAddr>(), any::<u16>(), 0..3usize).prop_map(|(address, port, form)| {
            let written = match (address, form) {
                (IpAddr::V4(v4), 1) => format!("{v4}:{port}"),
                (IpAddr::V6(v6), 1) => format!("[{v6}]:{port}"),
                (IpAddr::V6(v6), 2) => format!("[{v6}]"),
                (address, _) => address.to_string(),
            };
            (address, written)
        })
    }

    proptest! {
        #[test]
        fn the_parser_never_panics(
            lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..4),
            peer in any::<IpAddr>(),
            trusted in proptest::collection::vec(any::<IpAddr>(), 0..3),
        ) {
            let lines: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
            forwarded_client(peer, &lines, &trusted);
            forwarded_client(peer, &lines, &[peer]);
        }

        #[test]
        fn nothing_written_left_of_the_proxys_entry_changes_the_client(
            forged in proptest::collection::vec(".*|[0-9a-f:.\\[\\], ]*", 0..3),
            (client, written) in written_address(),
            own_line in any::<bool>(),
        ) {
            let proxy = ip(PROXY);
            prop_assume!(client.to_canonical() != proxy);
            let mut lines = forged.clone();
            match lines.last_mut() {
                Some(last) if !own_line => *last = format!("{last}, {written}"),
                _ => lines.push(written),
            }
            let lines: Vec<&[u8]> = lines.iter().map(|line| line.as_bytes()).collect();
            prop_assert_eq!(
                forwarded_client(proxy, &lines, &[proxy]),
                client.to_canonical()
            );
        }
    }

    #[test]
    fn devices_are_summarised_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on macOS",
            ),
            ("curl/8.5.0", "curl"),
            ("", "Unknown device"),
        ];
        for (user_agent, summary) in cases {
            assert_eq!(device_summary(user_agent), summary, "{user_agent}");
        }
    }
}
