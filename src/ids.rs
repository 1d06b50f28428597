//! Random identifiers: ticket tokens (the only thing a ticket's QR code carries) and outbox
//! idempotency keys.

/// 128 random bits as 32 lower-case hex digits: unguessable, URL-safe, no personal data.
pub fn random_hex() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_random_and_url_safe() {
        let a = super::random_hex();
        assert_ne!(a, super::random_hex());
        assert_eq!(a.len(), 32);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
