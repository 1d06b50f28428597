use super::*;

#[test]
fn yen_and_hangul_are_replaced_only_for_gbk_printers() {
    assert_eq!(printable("¥5 한", true), "￥5 ?");
    assert_eq!(printable("¥5 한", false), "¥5 한");
}

#[test]
fn every_equivalent_is_itself_two_byte_safe() {
    for (from, to) in GBK_EQUIVALENTS {
        assert!(needs_four_bytes(*from), "{from:?} needs no replacement");
        assert!(!to.chars().any(needs_four_bytes), "{to:?} is not GBK");
    }
}

#[test]
fn control_characters_never_reach_the_printer() {
    assert_eq!(printable("A\u{1b}@B\u{10}\u{4}\u{1}", false), "A @B   ");
    assert_eq!(printable("一\n二", false), "一\n二");
}

#[test]
fn common_hanzi_and_fullwidth_signs_pass_unchanged() {
    let s = "法律援助 ￥ € 《》—— 12348";
    assert!(matches!(printable(s, true), Cow::Borrowed(_)));
}
