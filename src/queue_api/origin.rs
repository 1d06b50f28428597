//! Which names the API answers to. A web page on another site can point its own name at
//! this terminal's address (DNS rebinding) and then read the API as if it were its own
//! origin; the browser still sends the page's name in `Host`. So the API answers only to
//! IP addresses, `localhost` and the names it is configured with, and a request that says
//! where it comes from (`Origin`) must come from the address it is sent to.

use std::net::IpAddr;

/// The names this terminal answers to.
#[derive(Debug, Clone, Default)]
pub struct HostCheck {
    names: Vec<String>,
}

/// `host[:port]` split into the name and the port.
fn split_host(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((name, port)) => (name, port.strip_prefix(':')),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port)),
        _ => (authority, None),
    }
}

impl HostCheck {
    /// With the configured names (`name` or `name:port`).
    pub fn new(names: &[String]) -> Self {
        Self {
            names: names
                .iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether a request for `host` (the `Host` header or HTTP/2 authority) is for us.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = split_host(&host);
        if port.is_some_and(|p| p.parse::<u16>().is_err()) {
            return false;
        }
        name.parse::<IpAddr>().is_ok()
            || name == "localhost"
            || self.names.iter().any(|n| *n == host || *n == name)
    }
}

/// Whether `origin` (the `Origin` header) is the address `host` itself: a page of this
/// terminal, not of another site.
pub fn same_origin(origin: &str, host: &str) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| a == host.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_configured_names_pass_other_names_do_not() {
        let check = HostCheck::new(&["kiosk-3.centre.lan:8443".into()]);
        for ok in [
            "192.168.10.20:8443",
            "127.0.0.1:8080",
            "[::1]:8080",
            "localhost:8080",
            "KIOSK-3.centre.lan:8443",
        ] {
            assert!(check.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8443",
            "kiosk-3.centre.lan.evil:8443",
            "1.2.3.4:x",
        ] {
            assert!(!check.allows(bad), "{bad}");
        }
        assert!(same_origin(
            "https://192.168.10.20:8443",
            "192.168.10.20:8443"
        ));
        assert!(!same_origin("https://evil.example", "192.168.10.20:8443"));
        assert!(!same_origin("null", "192.168.10.20:8443"));
    }
}
