use std::time::Duration;

use super::*;

#[test]
fn a_file_with_the_old_video_overrides_is_refused_naming_the_replacement() {
    let text = "[video]\nregistry_url = \"https://elsewhere.example\"\n";
    let err = Config::parse(text, Path::new("old.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("[video] registry_url is no longer read"),
        "{err}"
    );
    assert!(err.contains("enrolment"), "{err}");
}

#[test]
fn the_documented_example_parses() {
    let text = include_str!("../../config/example.toml");
    let config = Config::parse(text, Path::new("example.toml")).expect("example is valid");
    assert_eq!(config.kiosk.idle_timeout(), Duration::from_secs(60));
    let gpio = config.gpio.expect("the example documents [gpio]");
    assert_eq!(gpio.kind, GpioKind::Simulator);
    assert!(gpio.driver.presence.is_some() && gpio.driver.light.is_some());
}

#[test]
fn the_terminal_default_configuration_parses() {
    let text = include_str!("../../provisioning/deploy/terminal/config.toml");
    let config = Config::parse(text, Path::new("/etc/legal-kiosk/config.toml"))
        .expect("the packaged configuration is valid");
    assert!(config.kiosk.fullscreen);
    assert_eq!(config.printer.kind, PrinterKind::Device);
    assert_eq!(config.printer.driver.device, "/dev/legal-kiosk/printer");
    assert_eq!(config.data_dir(), Path::new("/var/lib/legal-kiosk"));
}

#[test]
fn a_typo_in_a_key_is_reported_with_the_key() {
    let err = Config::parse("[kiosk]\nidle_timout_secs = 30\n", Path::new("k.toml"))
        .expect_err("unknown key");
    assert!(err.to_string().contains("idle_timout_secs"), "{err}");
}

#[test]
fn a_real_printer_is_configured_through_the_driver_table() {
    let config = Config::parse(
        "[printer]\nkind = \"device\"\n[printer.driver]\ntransport = \"usb\"\ndevice = \"/dev/usb/lp0\"\npaper = \"58mm\"\n",
        Path::new("k.toml"),
    )
    .expect("valid");
    assert_eq!(config.printer.kind, PrinterKind::Device);
    assert_eq!(config.printer.driver.device, "/dev/usb/lp0");
}

#[test]
fn video_calls_are_configured_in_their_own_section() {
    let config = Config::parse(
        "[video]\nanswer_timeout_secs = 90\n\
         [video.media]\ncamera = \"v4l2\"\ncamera_device = \"/dev/video2\"\ncodec = \"h264\"\n",
        Path::new("k.toml"),
    )
    .expect("valid");
    assert_eq!(config.video.answer_timeout_secs, 90);
    assert_eq!(config.video.media.camera, kiosk_video::Camera::V4l2);
    assert_eq!(config.video.media.codec, kiosk_video::Codec::H264);
    let err =
        Config::parse("[video.media]\nwidth = 641\n", Path::new("k.toml")).expect_err("odd width");
    assert!(err.to_string().contains("video.width"), "{err}");
}

#[test]
fn gpio_is_off_unless_configured_and_its_lines_are_checked() {
    let config = Config::parse("", Path::new("k.toml")).expect("empty is valid");
    assert!(config.gpio.is_none());
    let config = Config::parse(
        "[gpio]\n[gpio.driver.call_button]\nline = 27\nactive_low = true\n",
        Path::new("k.toml"),
    )
    .expect("valid");
    let gpio = config.gpio.expect("configured");
    assert_eq!(gpio.kind, GpioKind::Device);
    assert!(gpio.driver.call_button.is_some_and(|b| b.active_low));
    let err = Config::parse(
        "[gpio.driver.presence]\nline = 4\n[gpio.driver.light]\nline = 4\n",
        Path::new("k.toml"),
    )
    .expect_err("line 4 twice");
    assert!(err.to_string().contains("used twice"), "{err}");
}

#[test]
fn a_screensaver_that_would_flicker_on_is_refused() {
    let err = Config::parse("[screensaver]\nafter_secs = 5\n", Path::new("k.toml"))
        .expect_err("too soon");
    assert!(err.to_string().contains("after_secs"), "{err}");
    let off = Config::parse("[screensaver]\nafter_secs = 0\n", Path::new("k.toml"))
        .expect("0 turns it off");
    assert_eq!(off.screensaver.after(), None);
}

#[test]
fn the_maintenance_section_is_read_and_checked() {
    let config = Config::parse(
        "[maintenance]\ngesture = \"taps\"\ncorner = \"bottom-left\"\ntaps = 4\n",
        Path::new("k.toml"),
    )
    .expect("valid");
    assert_eq!(config.maintenance.taps, 4);
    let err = Config::parse(
        "[maintenance.initial_installer]\nname = \"安装员\"\npin_hash = \"482916\"\n",
        Path::new("k.toml"),
    )
    .expect_err("a PIN in clear is not a hash");
    assert!(err.to_string().contains("Argon2id"), "{err}");
}

#[test]
fn an_unknown_language_is_refused() {
    let err = Config::parse("[kiosk]\nlanguage = \"fr\"\n", Path::new("k.toml"))
        .expect_err("unknown language");
    assert!(err.to_string().contains("zh_CN"), "{err}");
}
