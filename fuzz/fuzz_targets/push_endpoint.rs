//! What a push subscription brings from outside: an endpoint URL, checked
//! by the instance's rule, and `WEB_PUSH_ALLOWED_HOSTS`. Whatever the
//! bytes: no panic; an endpoint that passes is at most 1,024 bytes, has a
//! host and no credentials, and is https unless its host is allowed; an
//! address written into it that passes is public; a host list that parses
//! names at most 50 hosts, each lower-case.
#![no_main]

use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;
use taskward::{
    config::{MAX_PUSH_HOSTS, parse_push_hosts},
    push::endpoint::{EndpointPolicy, MAX_ENDPOINT_BYTES, is_public},
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let strict = EndpointPolicy::default();
    if let Ok(url) = strict.check(&text) {
        assert!(text.len() <= MAX_ENDPOINT_BYTES);
        assert_eq!(url.scheme(), "https");
        assert!(url.username().is_empty() && url.password().is_none());
        match url.host() {
            Some(url::Host::Ipv4(ip)) => assert!(is_public(IpAddr::V4(ip)), "{ip}"),
            Some(url::Host::Ipv6(ip)) => assert!(is_public(IpAddr::V6(ip)), "{ip}"),
            Some(url::Host::Domain(_)) => {}
            None => panic!("no host"),
        }
    }
    if let Ok(hosts) = parse_push_hosts(&text) {
        assert!(hosts.len() <= MAX_PUSH_HOSTS);
        assert!(hosts.iter().all(|host| *host == host.to_ascii_lowercase()));
        let policy = EndpointPolicy::allowing(hosts);
        let _ = policy.check(&text);
    }
    // Any 16 bytes as an IPv6 address, and its first 4 as IPv4: judged
    // without panicking, and an IPv4 address the same inside IPv6.
    if data.len() >= 16 {
        let mut v6 = [0u8; 16];
        v6.copy_from_slice(&data[..16]);
        let _ = is_public(IpAddr::from(v6));
        let v4 = std::net::Ipv4Addr::new(data[0], data[1], data[2], data[3]);
        assert_eq!(is_public(IpAddr::V4(v4)), is_public(IpAddr::V6(v4.to_ipv6_mapped())));
    }
});
