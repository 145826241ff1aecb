//! Who is asking: the client's address, by the trusted-proxy rules, and a
//! short summary of its device from the user agent. The web layer resolves
//! both once per request ([`Client::resolve`]) and stores them in the
//! request's extensions, where the server functions and the JSON API read
//! them.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, header};

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
    /// the nearest untrusted address in `X-Forwarded-For` (the proxies
    /// append to it, so anything further left may have been written by the
    /// client).
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
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| item.trim().parse::<IpAddr>().ok())
        .rev()
        .find(|address| !trusted_proxies.contains(address))
        .unwrap_or(peer)
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
    use super::*;

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
