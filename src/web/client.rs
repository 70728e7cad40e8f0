//! The client's address. Behind a reverse proxy every request comes from the
//! proxy, so a per-address limit would lock everyone out together. Only when
//! the TCP peer is one of `EINLASS_TRUSTED_PROXIES` are its forwarding
//! headers believed: the client is the right-most address of the chain that
//! is not itself a trusted proxy (addresses further left could be made up by
//! the client). `Forwarded` (RFC 7239) wins over `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Addresses or CIDR ranges, separated by commas or spaces.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("not an address or CIDR range: {entry:?}"))?;
            nets.push(net);
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with these headers.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.map(|p| p.to_canonical())?;
        if !self.contains(peer) {
            return Some(peer);
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            match hop {
                // A hop we cannot read: stop at the last one we could.
                None => break,
                Some(ip) => {
                    client = *ip;
                    if !self.contains(*ip) {
                        break;
                    }
                }
            }
        }
        Some(client)
    }
}

/// The addresses a request passed, left (origin) to right (nearest proxy).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_node(v))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(parse_node)
        .collect()
}

/// `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(value: &str) -> Option<IpAddr> {
    let v = value.trim().trim_matches('"');
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = v.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    v.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(ip, _)| ip.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

/// The key a request is rate-limited by: the client's address.
/// The key per-address limits count by: an IPv4 address, or an IPv6
/// address's /64 (one subscriber line or host gets a whole /64, so counting
/// single IPv6 addresses would let one client take millions of turns).
pub fn client_key(req: &HttpRequest, proxies: &TrustedProxies) -> String {
    proxies
        .client(req.peer_addr().map(|a| a.ip()), req.headers())
        .map_or_else(|| "unknown".to_owned(), limit_key_of)
}

fn limit_key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(
            limit_key_of(ip("2001:db8:1:2::5")),
            limit_key_of(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limit_key_of(ip("2001:db8:1:2::5")),
            limit_key_of(ip("2001:db8:1:3::5"))
        );
        assert_eq!(limit_key_of(ip("::ffff:10.0.0.1")), "10.0.0.1");
        assert_eq!(limit_key_of(ip("10.0.0.1")), "10.0.0.1");
    }

    #[test]
    fn parses_addresses_and_ranges() {
        let p = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1 ::1").unwrap();
        assert!(p.contains(ip("10.1.2.3")) && p.contains(ip("127.0.0.1")) && p.contains(ip("::1")));
        assert!(
            p.contains(ip("::ffff:127.0.0.1")),
            "IPv4-mapped peers count"
        );
        assert!(!p.contains(ip("192.168.1.1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }

    #[test]
    fn headers_are_ignored_unless_the_peer_is_trusted() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(none.client(Some(ip("9.9.9.9")), &h), Some(ip("9.9.9.9")));
        let p = TrustedProxies::parse("10.0.0.1").unwrap();
        assert_eq!(p.client(Some(ip("9.9.9.9")), &h), Some(ip("9.9.9.9")));
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let p = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client made up 6.6.6.6; the first proxy appended the real 2.2.2.2.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 2.2.2.2, 10.0.0.7")]);
        assert_eq!(p.client(Some(ip("10.0.0.1")), &h), Some(ip("2.2.2.2")));
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "3.3.3.3"),
        ]);
        assert_eq!(p.client(Some(ip("10.0.0.1")), &h), Some(ip("3.3.3.3")));
        // Only trusted hops: the left-most is the client.
        let h = headers(&[("x-forwarded-for", "10.1.1.1, 10.2.2.2")]);
        assert_eq!(p.client(Some(ip("10.0.0.1")), &h), Some(ip("10.1.1.1")));
        // No header: the proxy itself.
        assert_eq!(
            p.client(Some(ip("10.0.0.1")), &HeaderMap::new()),
            Some(ip("10.0.0.1"))
        );
        // Garbage in the chain stops the walk at the last readable hop.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, unknown, 10.0.0.9")]);
        assert_eq!(p.client(Some(ip("10.0.0.1")), &h), Some(ip("10.0.0.9")));
    }

    #[test]
    fn forwarded_wins_and_is_parsed() {
        let p = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[
            (
                "forwarded",
                r#"for=192.0.2.60;proto=http, for="[2001:db8::17]:4711""#,
            ),
            ("x-forwarded-for", "7.7.7.7"),
        ]);
        assert_eq!(p.client(Some(ip("10.0.0.1")), &h), Some(ip("2001:db8::17")));
        let h = headers(&[("forwarded", "for=198.51.100.17:8080;by=10.0.0.1")]);
        assert_eq!(
            p.client(Some(ip("10.0.0.1")), &h),
            Some(ip("198.51.100.17"))
        );
    }
}
