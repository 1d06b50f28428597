use super::*;
use std::os::unix::fs::PermissionsExt as _;

#[test]
fn key_is_created_once_with_mode_0600_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/device.key");
    let first = DeviceIdentity::load_or_create(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = DeviceIdentity::load_or_create(&path).unwrap();
    assert_eq!(first.public_key(), again.public_key());
    assert!(device_id_for(&first.public_key()).starts_with("kt-"));
}

#[test]
fn loosened_key_file_is_tightened_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.key");
    DeviceIdentity::load_or_create(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    DeviceIdentity::load_or_create(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
