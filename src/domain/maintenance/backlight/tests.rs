use super::*;

#[test]
fn a_device_is_found_read_and_set_in_percent() {
    let class = tempfile::tempdir().unwrap();
    let dev = class.path().join("rpi_backlight");
    std::fs::create_dir(&dev).unwrap();
    std::fs::write(dev.join("max_brightness"), "255\n").unwrap();
    std::fs::write(dev.join("brightness"), "128\n").unwrap();
    let b = Backlight::find(class.path()).unwrap();
    assert_eq!(b.percent().unwrap(), 50);
    assert_eq!(b.set_percent(80).unwrap(), 80);
    assert_eq!(
        std::fs::read_to_string(dev.join("brightness")).unwrap(),
        "204"
    );
    assert_eq!(b.set_percent(0).unwrap(), 10, "never black");
}

#[test]
fn no_device_means_no_brightness_setting() {
    let class = tempfile::tempdir().unwrap();
    assert!(Backlight::find(class.path()).is_none());
    assert!(Backlight::find(Path::new("/nonexistent/backlight")).is_none());
}
