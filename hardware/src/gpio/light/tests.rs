use super::*;

#[test]
fn one_lamp_is_steady_blinking_or_off() {
    let k = LightKind::Single;
    for phase in [true, false] {
        assert_eq!(LightState::Ready.lamps(k, phase), [(Lamp::Single, true)]);
        assert_eq!(
            LightState::OutOfService.lamps(k, phase),
            [(Lamp::Single, false)]
        );
        assert_eq!(
            LightState::NeedsAttention.lamps(k, phase),
            [(Lamp::Single, phase)]
        );
    }
}

#[test]
fn a_red_green_lamp_is_green_amber_blinking_or_red() {
    let k = LightKind::RedGreen;
    assert_eq!(
        LightState::Ready.lamps(k, false),
        [(Lamp::Red, false), (Lamp::Green, true)]
    );
    assert_eq!(
        LightState::NeedsAttention.lamps(k, true),
        [(Lamp::Red, true), (Lamp::Green, true)]
    );
    assert_eq!(
        LightState::NeedsAttention.lamps(k, false),
        [(Lamp::Red, false), (Lamp::Green, false)]
    );
    assert_eq!(
        LightState::OutOfService.lamps(k, true),
        [(Lamp::Red, true), (Lamp::Green, false)]
    );
}
