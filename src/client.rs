//! Who is asking: the client's address, by the trusted-proxy rules. The web
//! layer resolves it once per request ([`ClientAddress::resolve`]) and
//! stores it in the request's extensions, where the server functions and
//! the JSON API both read it.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// The address rate limits and logs attribute a request to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The TCP peer, or, when that peer is a trusted proxy, the nearest
    /// untrusted address in `X-Forwarded-For` (the proxies append to it, so
    /// anything further left may have been written by the client).
    pub fn resolve(peer: SocketAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> Self {
        let peer = peer.ip();
        if !trusted_proxies.contains(&peer) {
            return Self(peer);
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|item| item.trim().parse::<IpAddr>().ok())
            .rev()
            .find(|address| !trusted_proxies.contains(address));
        Self(forwarded.unwrap_or(peer))
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

        assert_eq!(ClientAddress::resolve(proxy, &headers, &[]).0, proxy.ip());
        assert_eq!(
            ClientAddress::resolve(proxy, &headers, &trusted).0,
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let stranger: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        assert_eq!(
            ClientAddress::resolve(stranger, &headers, &trusted).0,
            stranger.ip()
        );
    }
}
