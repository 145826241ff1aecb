//! Where a push may go. A subscription's endpoint is a URL this server
//! will POST to, so it is a door into the network the server sits in
//! (server-side request forgery). An endpoint is accepted only when it is
//! `https`, names a host without credentials, and that host resolves only
//! to public addresses; the same checks run again at every delivery, and
//! the connection is made to the very addresses checked (the HTTP client's
//! resolver refuses internal ones), so a name that later resolves inward
//! (DNS rebinding) reaches nothing. `WEB_PUSH_ALLOWED_HOSTS` names hosts
//! (or `host:port`) let through anyway, plain `http` included: a private
//! push service, or the tests' local endpoint.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use url::{Host, Url};

/// The longest endpoint accepted, in bytes (the browsers' are a few
/// hundred).
pub const MAX_ENDPOINT_BYTES: usize = 1_024;
/// How long a host's name may take to resolve.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Why an endpoint is refused, in words its owner can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointRefusal {
    #[error("That is not a URL a push service gives.")]
    NotAUrl,
    #[error("A push endpoint is at most {MAX_ENDPOINT_BYTES} bytes.")]
    TooLong,
    #[error("A push endpoint must use https.")]
    NotHttps,
    #[error("A push endpoint cannot carry a user name or password.")]
    Credentials,
    #[error("The push endpoint's host could not be found.")]
    Unresolved,
    #[error(
        "The push endpoint's host is an internal address (loopback, private, link-local or \
         reserved); push services are on the public internet."
    )]
    Internal,
}

/// The instance's rule for endpoints: the hosts let through as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Lower-case `host` or `host:port` entries.
    allowed: Vec<String>,
}

impl EndpointPolicy {
    /// `WEB_PUSH_ALLOWED_HOSTS`, as [`crate::config::parse_push_hosts`]
    /// reads it.
    pub fn parse(list: &str) -> Result<Self, String> {
        crate::config::parse_push_hosts(list).map(Self::allowing)
    }

    /// Lets `hosts` (lower-case `host` or `host:port`) through.
    pub fn allowing(hosts: Vec<String>) -> Self {
        Self { allowed: hosts }
    }

    /// Whether `url`'s host (with or without its port) is let through.
    fn allows(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let with_port = url
            .port_or_known_default()
            .map(|port| format!("{host}:{port}"));
        self.allowed
            .iter()
            .any(|entry| *entry == host || Some(entry) == with_port.as_ref())
    }

    /// Whether a host name, as the HTTP client resolves it, is let through
    /// (any port: the URL's own check ran before).
    fn allows_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.allowed.iter().any(|entry| {
            *entry == host || entry.rsplit_once(':').is_some_and(|(name, _)| name == host)
        })
    }

    /// Checks an endpoint's form: a URL of at most
    /// [`MAX_ENDPOINT_BYTES`], `https` (or an allowed host), no
    /// credentials, and not an internal address written as one.
    pub fn check(&self, endpoint: &str) -> Result<Url, EndpointRefusal> {
        if endpoint.len() > MAX_ENDPOINT_BYTES {
            return Err(EndpointRefusal::TooLong);
        }
        let url = Url::parse(endpoint.trim()).map_err(|_| EndpointRefusal::NotAUrl)?;
        if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
            return Err(EndpointRefusal::NotAUrl);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointRefusal::Credentials);
        }
        if self.allows(&url) {
            return Ok(url);
        }
        if url.scheme() != "https" {
            return Err(EndpointRefusal::NotHttps);
        }
        match url.host() {
            Some(Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(EndpointRefusal::Internal),
            Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(EndpointRefusal::Internal),
            _ => Ok(url),
        }
    }

    /// [`Self::check`], then the host resolved: every address must be
    /// public (unless the host is allowed). What a subscription is checked
    /// with when it is given.
    pub async fn check_resolved(&self, endpoint: &str) -> Result<Url, EndpointRefusal> {
        let url = self.check(endpoint)?;
        if self.allows(&url) {
            return Ok(url);
        }
        if let Some(Host::Domain(name)) = url.host() {
            public_addresses(self, name).await?;
        }
        Ok(url)
    }
}

/// The addresses `name` resolves to, all of them public (or the host is
/// allowed); refused when there are none, or any is internal.
async fn public_addresses(
    policy: &EndpointPolicy,
    name: &str,
) -> Result<Vec<SocketAddr>, EndpointRefusal> {
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, 0)));
    let addresses: Vec<SocketAddr> = lookup
        .await
        .map_err(|_| EndpointRefusal::Unresolved)?
        .map_err(|_| EndpointRefusal::Unresolved)?
        .collect();
    if addresses.is_empty() {
        return Err(EndpointRefusal::Unresolved);
    }
    if !policy.allows_host(name) && addresses.iter().any(|address| !is_public(address.ip())) {
        return Err(EndpointRefusal::Internal);
    }
    Ok(addresses)
}

/// The HTTP client's resolver: the same rule at the moment of connecting,
/// so the addresses checked are the ones connected to.
pub struct CheckedResolver(pub Arc<EndpointPolicy>);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let addresses = public_addresses(&policy, name.as_str()).await?;
            let addresses: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

/// Whether an address is on the public internet: not loopback, private,
/// shared (CGNAT), link-local, multicast, documentation, benchmarking or
/// otherwise reserved, in IPv4 or IPv6 (an IPv4 address inside IPv6, as
/// mapped, NAT64 or 6to4, is judged as itself).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24; 6to4 relays, 192.88.99.0/24.
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 88 && c == 99)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (18..20).contains(&b))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        Ipv4Addr::new(
            (high >> 8) as u8,
            (high & 0xff) as u8,
            (low >> 8) as u8,
            (low & 0xff) as u8,
        )
    };
    match segments {
        // NAT64, 64:ff9b::/96: the IPv4 address in its last 32 bits.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => return is_public_v4(embedded_v4(high, low)),
        // 6to4, 2002::/16: the IPv4 address after the prefix.
        [0x2002, high, low, ..] => return is_public_v4(embedded_v4(high, low)),
        _ => {}
    }
    let first = segments[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // IPv4-compatible (deprecated), ::/96.
        || segments[..6] == [0; 6]
        // Unique local, fc00::/7; link-local, fe80::/10; site-local, fec0::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // Documentation, 2001:db8::/32; Teredo, 2001::/32; benchmarking, 2001:2::/48.
        || (first == 0x2001 && (segments[1] == 0x0db8 || segments[1] == 0 || segments[1] == 2))
        // Discard-only, 100::/64.
        || (first == 0x0100 && segments[1..4] == [0; 3]))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn only_https_public_endpoints_without_credentials_pass() {
        let policy = EndpointPolicy::default();
        assert!(
            policy
                .check("https://fcm.googleapis.com/fcm/send/abc")
                .is_ok()
        );
        assert!(
            policy
                .check("https://updates.push.services.mozilla.com/wpush/v2/x")
                .is_ok()
        );
        for (endpoint, refusal) in [
            ("http://push.example/x", EndpointRefusal::NotHttps),
            ("ftp://push.example/x", EndpointRefusal::NotAUrl),
            ("not a url", EndpointRefusal::NotAUrl),
            (
                "https://user:secret@push.example/",
                EndpointRefusal::Credentials,
            ),
            ("https://127.0.0.1/x", EndpointRefusal::Internal),
            ("https://10.1.2.3/x", EndpointRefusal::Internal),
            (
                "https://169.254.169.254/latest/meta-data",
                EndpointRefusal::Internal,
            ),
            ("https://[::1]/x", EndpointRefusal::Internal),
            ("https://[::ffff:192.168.0.1]/x", EndpointRefusal::Internal),
            ("https://[fd00::1]/x", EndpointRefusal::Internal),
            ("https://0x7f000001/x", EndpointRefusal::Internal),
            ("https://2130706433/x", EndpointRefusal::Internal),
            ("https://100.100.100.100/x", EndpointRefusal::Internal),
        ] {
            assert_eq!(policy.check(endpoint), Err(refusal), "{endpoint}");
        }
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT_BYTES));
        assert_eq!(policy.check(&long), Err(EndpointRefusal::TooLong));
    }

    #[test]
    fn an_allowed_host_passes_over_http_on_its_port_only() {
        let policy = EndpointPolicy::parse(" 127.0.0.1:8085 , Push.Internal ").unwrap();
        assert!(policy.check("http://127.0.0.1:8085/push/1").is_ok());
        assert_eq!(
            policy.check("http://127.0.0.1:8086/push/1"),
            Err(EndpointRefusal::NotHttps)
        );
        assert_eq!(
            policy.check("https://127.0.0.1:8086/push/1"),
            Err(EndpointRefusal::Internal)
        );
        assert!(policy.check("http://push.internal/x").is_ok());
        assert!(policy.check("https://push.internal:9443/x").is_ok());
        assert!(policy.allows_host("push.internal") && policy.allows_host("127.0.0.1"));
        assert!(!policy.allows_host("127.0.0.2"));
        for bad in ["http://x", "a b", "host/path", "host:99999"] {
            assert!(EndpointPolicy::parse(bad).is_err(), "{bad}");
        }
        assert!(EndpointPolicy::parse(&vec!["a.example"; 51].join(",")).is_err());
        assert_eq!(
            EndpointPolicy::parse("").unwrap(),
            EndpointPolicy::default()
        );
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused() {
        let policy = EndpointPolicy::default();
        assert_eq!(
            policy.check_resolved("https://localhost/push").await,
            Err(EndpointRefusal::Internal)
        );
    }

    proptest! {
        #[test]
        fn every_private_or_loopback_v4_address_is_internal_however_written(
            kind in 0..5u8, b in any::<u8>(), c in any::<u8>(), d in any::<u8>()
        ) {
            let ip = match kind {
                0 => Ipv4Addr::new(10, b, c, d),
                1 => Ipv4Addr::new(172, 16 + b % 16, c, d),
                2 => Ipv4Addr::new(192, 168, c, d),
                3 => Ipv4Addr::new(127, b, c, d),
                _ => Ipv4Addr::new(169, 254, c, d),
            };
            prop_assert!(!is_public(IpAddr::V4(ip)));
            prop_assert!(!is_public(IpAddr::V6(ip.to_ipv6_mapped())));
            let [p, q, r, s] = ip.octets();
            let high = u16::from_be_bytes([p, q]);
            let low = u16::from_be_bytes([r, s]);
            prop_assert!(!is_public(IpAddr::V6(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, high, low))));
            prop_assert!(!is_public(IpAddr::V6(Ipv6Addr::new(0x2002, high, low, 0, 0, 0, 0, 1))));
            let endpoint = format!("https://{ip}/push");
            prop_assert_eq!(EndpointPolicy::default().check(&endpoint), Err(EndpointRefusal::Internal));
        }

        #[test]
        fn checking_any_text_never_panics_and_passes_only_https(text in "\\PC{0,200}") {
            if let Ok(url) = EndpointPolicy::default().check(&text) {
                prop_assert_eq!(url.scheme(), "https");
            }
        }
    }
}
