//! The GPIO board through the simulated wires: what a citizen does (walk up, press the
//! button with bouncing contacts) arrives as one clean event, with either polarity; the
//! status light looks like what staff are told it means.

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use hardware::gpio::{
    Bias, Gpio, GpioConfig, GpioEvent, InputLine, Lamp, LightLines, LightState, LineId, SimBoard,
};

fn input(line: u32, active_low: bool) -> Option<InputLine> {
    Some(InputLine {
        line: LineId::Offset(line),
        active_low,
        bias: Bias::AsIs,
    })
}

fn board(config: &GpioConfig) -> (Gpio, SimBoard, Receiver<GpioEvent>) {
    let (tx, rx) = mpsc::channel();
    let (gpio, board) = Gpio::simulated(config, move |e| {
        let _ = tx.send(e);
    })
    .expect("simulated board");
    (gpio, board, rx)
}

fn full_config(button_active_low: bool) -> GpioConfig {
    GpioConfig {
        presence: input(17, false),
        call_button: input(27, button_active_low),
        light: Some(LightLines {
            line: Some(LineId::Offset(22)),
            ..LightLines::default()
        }),
        ..GpioConfig::default()
    }
}

/// Every event that arrives within `window`.
fn events_within(rx: &Receiver<GpioEvent>, window: Duration) -> Vec<GpioEvent> {
    let deadline = Instant::now() + window;
    let mut out = Vec::new();
    while let Ok(e) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        out.push(e);
    }
    out
}

#[test]
fn someone_walking_up_and_leaving_is_reported() {
    let (_gpio, board, rx) = board(&full_config(true));
    board.set_presence(true);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)),
        Ok(GpioEvent::PresenceDetected)
    );
    board.set_presence(false);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)),
        Ok(GpioEvent::PresenceGone)
    );
}

#[test]
fn a_bouncing_button_press_calls_staff_once() {
    let (_gpio, board, rx) = board(&full_config(true));
    // Five flips 2 ms apart end pressed; the release bounces too.
    board.bounce_call_button(5, Duration::from_millis(2));
    std::thread::sleep(Duration::from_millis(150));
    board.bounce_call_button(3, Duration::from_millis(2));
    assert_eq!(
        events_within(&rx, Duration::from_millis(400)),
        [GpioEvent::CallStaffPressed]
    );
}

#[test]
fn a_spike_shorter_than_the_debounce_period_calls_nobody() {
    let mut config = full_config(false);
    config.debounce_ms = 50;
    let (_gpio, board, rx) = board(&config);
    board.press_call_button();
    std::thread::sleep(Duration::from_millis(5));
    board.release_call_button();
    assert_eq!(events_within(&rx, Duration::from_millis(300)), []);
}

#[test]
fn an_active_low_button_is_pressed_when_its_line_is_low() {
    let (_gpio, board, rx) = board(&full_config(true));
    assert!(!board.input_active(hardware::gpio::Input::CallButton));
    board.press_call_button();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(2)),
        Ok(GpioEvent::CallStaffPressed)
    );
    board.release_call_button();
    assert_eq!(
        events_within(&rx, Duration::from_millis(200)),
        [],
        "releasing calls nobody"
    );
}

#[test]
fn each_press_is_a_new_call() {
    let (_gpio, board, rx) = board(&full_config(false));
    for _ in 0..2 {
        board.press_call_button();
        std::thread::sleep(Duration::from_millis(80));
        board.release_call_button();
        std::thread::sleep(Duration::from_millis(80));
    }
    assert_eq!(
        events_within(&rx, Duration::from_millis(200)),
        [GpioEvent::CallStaffPressed, GpioEvent::CallStaffPressed]
    );
}

/// Waits until `lamp` changed `more` times after `from` changes, or returns false.
fn lamp_keeps_changing(board: &SimBoard, lamp: Lamp, more: usize) -> bool {
    let from = board.lamp_changes(lamp);
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if board.lamp_changes(lamp) >= from + more {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn settle_light() {
    std::thread::sleep(Duration::from_millis(100));
}

#[test]
fn one_lamp_is_steady_when_ready_blinks_for_attention_and_is_off_out_of_service() {
    let (gpio, board, _rx) = board(&full_config(false));
    gpio.set_light(LightState::Ready);
    settle_light();
    assert!(board.lamp_lit(Lamp::Single));
    let changes = board.lamp_changes(Lamp::Single);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(board.lamp_changes(Lamp::Single), changes, "steady");

    gpio.set_light(LightState::NeedsAttention);
    assert!(
        lamp_keeps_changing(&board, Lamp::Single, 3),
        "blinking at 1 Hz"
    );

    gpio.set_light(LightState::OutOfService);
    settle_light();
    assert!(!board.lamp_lit(Lamp::Single));
    let changes = board.lamp_changes(Lamp::Single);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(board.lamp_changes(Lamp::Single), changes, "stays off");
}

#[test]
fn a_red_green_lamp_wired_active_low_shows_green_amber_and_red() {
    let config = GpioConfig {
        light: Some(LightLines {
            red: Some(LineId::Offset(5)),
            green: Some(LineId::Name("GPIO6".into())),
            active_low: true,
            ..LightLines::default()
        }),
        ..GpioConfig::default()
    };
    let (gpio, board, _rx) = board(&config);
    gpio.set_light(LightState::Ready);
    settle_light();
    assert!(board.lamp_lit(Lamp::Green) && !board.lamp_lit(Lamp::Red));

    gpio.set_light(LightState::OutOfService);
    settle_light();
    assert!(board.lamp_lit(Lamp::Red) && !board.lamp_lit(Lamp::Green));

    gpio.set_light(LightState::NeedsAttention);
    settle_light();
    assert!(
        board.lamp_lit(Lamp::Red) && board.lamp_lit(Lamp::Green),
        "amber"
    );
    assert!(lamp_keeps_changing(&board, Lamp::Green, 2), "blinking");
}

#[test]
fn dropping_the_board_darkens_the_light() {
    let (gpio, board, _rx) = board(&full_config(false));
    gpio.set_light(LightState::Ready);
    settle_light();
    assert!(board.lamp_lit(Lamp::Single));
    drop(gpio);
    settle_light();
    assert!(!board.lamp_lit(Lamp::Single));
}

#[test]
fn someone_already_there_at_start_is_reported_once() {
    let config = full_config(false);
    let board = SimBoard::new(&config);
    board.set_presence(true);
    let (tx, rx) = mpsc::channel();
    let (inputs, outputs) = board.lines();
    let _gpio = Gpio::start(&config, inputs, outputs, move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    assert_eq!(
        events_within(&rx, Duration::from_millis(300)),
        [GpioEvent::PresenceDetected]
    );
}

#[test]
fn the_documented_toml_parses_and_mistakes_are_explained() {
    let text = r#"
        chip = "gpiochip0"
        debounce_ms = 30
        [presence]
        line = 17
        [call_button]
        line = "GPIO27"
        active_low = true
        bias = "pull-up"
        [light]
        line = 22
    "#;
    let config: GpioConfig = toml::from_str(text).expect("documented example");
    config.validate().expect("valid");
    assert_eq!(
        config.call_button.as_ref().map(|b| &b.line),
        Some(&LineId::Name("GPIO27".into()))
    );
    assert_eq!(config.chip_path(), std::path::Path::new("/dev/gpiochip0"));

    let twice: GpioConfig = toml::from_str("[presence]\nline = 17\n[light]\nline = 17\n").unwrap();
    let err = twice.validate().expect_err("line used twice");
    assert!(err.contains("17") && err.contains("presence"), "{err}");

    let half: GpioConfig = toml::from_str("[light]\nred = 5\n").unwrap();
    assert!(half.validate().expect_err("no green").contains("green"));

    let err = toml::from_str::<GpioConfig>("[presence]\nline = -3\n").expect_err("negative");
    assert!(err.to_string().contains("negative"), "{err}");

    let err = toml::from_str::<GpioConfig>("[presence]\npin = 3\n").expect_err("unknown key");
    assert!(err.to_string().contains("pin"), "{err}");
}

#[test]
fn a_named_line_that_does_not_exist_is_a_clear_error() {
    let config = GpioConfig {
        presence: Some(InputLine {
            line: LineId::Name("NO_SUCH_LINE_ON_ANY_CHIP".into()),
            active_low: false,
            bias: Bias::AsIs,
        }),
        ..GpioConfig::default()
    };
    let err = Gpio::open(&config, |_| {}).expect_err("no such line here");
    assert!(
        err.to_string().contains("NO_SUCH_LINE_ON_ANY_CHIP"),
        "{err}"
    );
}

#[test]
fn a_missing_chip_is_a_clear_error() {
    let config = GpioConfig {
        chip: "/nonexistent/gpiochip9".into(),
        presence: input(17, false),
        ..GpioConfig::default()
    };
    let err = Gpio::open(&config, |_| {}).expect_err("no such chip");
    let text = err.to_string();
    assert!(text.contains("/nonexistent/gpiochip9"), "{text}");
}
