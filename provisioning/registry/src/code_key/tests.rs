use super::*;

#[test]
fn the_key_is_made_once_private_and_hashes_depend_on_it() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let key = CodeKey::for_database(&db).unwrap();
    let path = CodeKey::default_path(&db);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = CodeKey::for_database(&db).unwrap();
    assert_eq!(key.hash("7KQ4M2XHP9"), again.hash("7KQ4M2XHP9"));
    let other = CodeKey::load_or_create(&dir.path().join("other.key")).unwrap();
    assert_ne!(key.hash("7KQ4M2XHP9"), other.hash("7KQ4M2XHP9"));
    assert_ne!(key.hash("7KQ4M2XHP9"), key.hash("7KQ4M2XHP8"));
    std::fs::write(&path, b"short").unwrap();
    assert!(CodeKey::for_database(&db).is_err());
}
