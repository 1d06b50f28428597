use super::*;
use std::os::unix::fs::PermissionsExt as _;

#[test]
fn a_new_file_appears_whole_with_its_mode_and_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.key");
    create_new_atomically(&path, b"first", 0o600, None).unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"first");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = create_new_atomically(&path, b"second", 0o600, None).unwrap_err();
    assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(fs::read(&path).unwrap(), b"first");
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file left behind");
}

#[test]
fn a_replaced_file_is_whole_and_stale_temporaries_are_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    replace_atomically(&path, b"one", 0o600).unwrap();
    replace_atomically(&path, b"two", 0o600).unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"two");
    let stale = dir.path().join(".key.deadbeef.tmp");
    fs::write(&stale, b"half a k").unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    create_new_atomically(&dir.path().join("key"), b"whole key", 0o600, None).unwrap();
    assert!(!stale.exists());
}
