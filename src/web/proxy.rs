//! Who is on the other end of the connection: the peer, or, when the peer is a proxy we were
//! told to trust, the client that proxy names in `X-Forwarded-For` (and whether it came over
//! TLS, as `X-Forwarded-Proto` says). Headers from any other peer are ignored: anyone can send
//! them, and believing them would let a visitor choose the address sign-ins are counted by.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed (`--trusted-proxy`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of addresses (`10.0.0.5`, `::1`) and networks (`10.0.0.0/8`), separated
    /// by commas or spaces; a Dutch message names an entry that is neither.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "vertrouwde proxy \"{entry}\" is geen IP-adres of netwerk; schrijf bijvoorbeeld 127.0.0.1 of 10.0.0.0/8"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// One list of several (the option given more than once).
    pub fn merge(lists: Vec<Self>) -> Self {
        Self(lists.into_iter().flat_map(|l| l.0).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address and whether the request reached the first proxy over TLS.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> (Option<IpAddr>, bool) {
        let Some(peer) = peer.map(canonical) else {
            return (None, false);
        };
        if !self.trusts(peer) {
            return (Some(peer), false);
        }
        // Each proxy appends the address it saw, so read from the right: the first address
        // that is not one of our proxies is the client. Anything left of it was written by the
        // client itself and proves nothing.
        let mut client = peer;
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        let secure = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        (Some(client), secure)
    }
}

/// An IPv4 address seen as `::ffff:a.b.c.d` counts as itself.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let none = TrustedProxies::default();
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            none.client(ip("198.51.100.1"), &h),
            (ip("198.51.100.1"), false)
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_from_the_right() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").expect("parse");
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.2.3"),
            ("x-forwarded-proto", "https"),
        ]);
        // 1.2.3.4 was written by the client itself; 203.0.113.9 is who reached our proxy.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &h),
            (ip("203.0.113.9"), true)
        );
        assert_eq!(
            trusted.client(ip("::ffff:127.0.0.1"), &h),
            (ip("203.0.113.9"), true)
        );
        let garbage = headers(&[("x-forwarded-for", "niet-een-adres")]);
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &garbage),
            (ip("127.0.0.1"), false)
        );
    }

    #[test]
    fn a_wrong_entry_is_named() {
        let e = TrustedProxies::parse("10.0.0.1, proxy.example").expect_err("refused");
        assert!(e.contains("proxy.example"), "{e}");
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
    }
}
