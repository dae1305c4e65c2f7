//! Where Janji may send: http(s) URLs whose host does not resolve to this machine or a
//! private network, so a tenant cannot make the server reach internal services (SSRF).
//! `JANJI_ALLOW_PRIVATE_TARGETS=true` lifts the address rule, for tests and for gateways
//! on the dealer's own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

/// Why a URL is not a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute http(s) URL without credentials.
    Malformed(String),
    /// The host does not resolve.
    Unresolvable(String),
    /// The host resolves to a loopback, private, link-local or otherwise internal address.
    Private(IpAddr),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed(why) => write!(f, "{why}"),
            Refusal::Unresolvable(host) => write!(f, "the host '{host}' does not resolve"),
            Refusal::Private(ip) => write!(
                f,
                "the host resolves to {ip}, an internal address; set JANJI_ALLOW_PRIVATE_TARGETS=true to allow it"
            ),
        }
    }
}

/// Parses a target URL and checks where it leads.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, Refusal> {
    let url = parse(raw)?;
    if allow_private {
        return Ok(url);
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    check_host(&host, port, false).await?;
    Ok(url)
}

/// Checks where a bare host leads (an SMTP server's), as `check` does for a URL's.
pub async fn check_host(host: &str, port: u16, allow_private: bool) -> Result<(), Refusal> {
    if allow_private {
        return Ok(());
    }
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addrs: Vec<IpAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((bare.as_str(), port))
            .await
            .map_err(|_| Refusal::Unresolvable(host.to_owned()))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refusal::Unresolvable(host.to_owned()));
    }
    match addrs.into_iter().find(|ip| is_internal(*ip)) {
        Some(ip) => Err(Refusal::Private(ip)),
        None => Ok(()),
    }
}

/// The URL's shape alone: absolute, http or https, a host, no user or password.
pub fn parse(raw: &str) -> Result<Url, Refusal> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Refusal::Malformed(format!("not an absolute URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Malformed(
            "the scheme must be http or https".into(),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Refusal::Malformed("the URL has no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Malformed(
            "credentials do not belong in the URL; the messages are signed instead".into(),
        ));
    }
    Ok(url)
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, multicast, broadcast,
/// documentation and unique-local addresses, and IPv4 written as IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::from([0, 0, 0, 0, 0, 0, 0, 1])
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "103.10.20.30", "2606:4700::1111"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn only_plain_http_urls() {
        assert!(parse("https://gw.example.id/hook").is_ok());
        assert!(parse("ftp://gw.example.id/").is_err());
        assert!(parse("/relative").is_err());
        assert!(parse("https://user:pw@gw.example.id/").is_err());
    }

    #[tokio::test]
    async fn a_loopback_target_is_refused_unless_allowed() {
        let err = check("http://127.0.0.1:9/x", false).await.unwrap_err();
        assert!(matches!(err, Refusal::Private(_)));
        assert!(err.to_string().contains("JANJI_ALLOW_PRIVATE_TARGETS"));
        assert!(check("http://localhost:9/x", false).await.is_err());
        assert!(check("http://127.0.0.1:9/x", true).await.is_ok());
        assert!(check("http://[::1]:9/x", false).await.is_err());
        assert!(check_host("127.0.0.1", 25, false).await.is_err());
        assert!(check_host("localhost", 25, false).await.is_err());
        assert!(check_host("127.0.0.1", 25, true).await.is_ok());
    }
}
