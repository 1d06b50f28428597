use super::*;

#[test]
fn private_key_round_trips_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k");
    let key = generate_signing_key().unwrap();
    write_private_key(&path, &key).unwrap();
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(read_private_key(&path).unwrap().to_bytes(), key.to_bytes());
    assert!(matches!(
        write_private_key(&path, &key),
        Err(KeyError::Io { .. })
    ));
}

#[test]
fn weak_and_malformed_public_keys_are_refused() {
    assert!(matches!(
        public_key_from_base64("abc"),
        Err(KeyError::BadPublicKey(_))
    ));
    // The identity point (small order) encoded as 32 bytes.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(matches!(
        public_key_from_base64(&B64.encode(identity)),
        Err(KeyError::WeakPublicKey)
    ));
    let good = generate_signing_key().unwrap().verifying_key();
    assert_eq!(
        public_key_from_base64(&public_key_to_base64(&good)).unwrap(),
        good
    );
}
