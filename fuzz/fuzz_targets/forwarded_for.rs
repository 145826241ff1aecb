//! The client address behind a trusted proxy: the input is the
//! `X-Forwarded-For` lines a client (and its proxies) sent, after a first
//! byte that picks the TCP peer. Whatever they say, the address a request
//! is attributed to is never one the client wrote further left than the
//! nearest hop that is not a trusted proxy: rotating what it writes there
//! must not buy a fresh per-address budget.
#![no_main]

use std::net::{IpAddr, SocketAddr};

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use taskward::client::Client;

/// The proxies the fuzzed deployment trusts.
fn trusted() -> [IpAddr; 2] {
    [
        IpAddr::from([10, 0, 0, 2]),
        "2001:db8::7".parse().expect("an address"),
    ]
}

/// Every address `entry` could be read as: bare, with a port, in brackets,
/// and an IPv4-mapped IPv6 address as IPv4. Generous on purpose, so the
/// check below never blames a reading the resolver may rightly make.
fn readings(entry: &str) -> Vec<IpAddr> {
    let entry = entry.trim().trim_matches('"');
    let unbracketed = entry.trim_start_matches('[').trim_end_matches(']');
    let mut addresses: Vec<IpAddr> = [entry, unbracketed]
        .into_iter()
        .filter_map(|text| text.parse::<IpAddr>().ok())
        .chain(entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .chain(
            entry
                .rsplit_once(':')
                .and_then(|(host, _port)| host.parse::<IpAddr>().ok()),
        )
        .collect();
    addresses.extend(
        addresses
            .clone()
            .into_iter()
            .map(|address| address.to_canonical()),
    );
    addresses
}

fn is_trusted(entry: &str) -> bool {
    let trusted = trusted();
    readings(entry)
        .iter()
        .any(|address| trusted.contains(address))
        || trusted
            .iter()
            .any(|address| entry.contains(&address.to_string()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, lines)) = data.split_first() else {
        return;
    };
    let peer_ip = match pick % 3 {
        0 => IpAddr::from([10, 0, 0, 2]),
        1 => "::ffff:10.0.0.2".parse().expect("an address"),
        _ => IpAddr::from([192, 0, 2, 1]),
    };
    let peer = SocketAddr::new(peer_ip, 40_000);
    let mut headers = HeaderMap::new();
    for line in lines.split(|&byte| byte == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append("x-forwarded-for", value);
        }
    }
    let trusted = trusted();
    let address = Client::resolve(peer, &headers, &trusted).address;

    let mut allowed = vec![peer_ip, peer_ip.to_canonical()];
    allowed.extend(trusted);
    if trusted.contains(&peer_ip.to_canonical()) {
        // Right to left: the proxies' own entries, then the first other hop.
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
            .map(|entry| std::str::from_utf8(entry).unwrap_or(""))
            .collect();
        for entry in entries.into_iter().rev() {
            allowed.extend(readings(entry));
            if !is_trusted(entry) {
                break;
            }
        }
    }
    assert!(
        allowed.contains(&address),
        "resolved to {address}, written further left than the first untrusted hop"
    );
});
