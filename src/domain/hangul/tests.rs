//! The 두벌식 automaton, Korean search keys and the font, tested.
use super::*;

#[test]
fn the_reference_vectors() {
    assert_eq!(compose_latin("dkssudgktpdy"), "안녕하세요");
    assert_eq!(compose_latin("gksrmf"), "한글");
    assert_eq!(compose_latin("rkqt"), "값");
    assert_eq!(compose_latin("rkqtk"), "갑사");
}

#[test]
fn the_syllable_arithmetic() {
    assert_eq!(compose(&['ㅎ', 'ㅏ', 'ㄴ']), "\u{D55C}");
    assert_eq!(
        compose(&['ㅎ', 'ㅣ', 'ㅎ']),
        "\u{D7A3}",
        "the last syllable"
    );
    assert_eq!(compose(&['ㄱ', 'ㅏ']), "\u{AC00}", "the first syllable");
}

#[test]
fn finals_move_to_the_next_syllable() {
    assert_eq!(compose_latin("rkrtk"), "각사", "각 + ㅅ + ㅏ");
    assert_eq!(compose_latin("dlghs"), "이혼");
    assert_eq!(
        compose_latin("dlghsl"),
        "이호니",
        "the final starts the next syllable"
    );
    assert_eq!(compose_latin("dlghsdl"), "이혼이");
    assert_eq!(compose_latin("dlarmacpqnf"), "임금체불");
    assert_eq!(compose_latin("qjqfbfdnjswh"), "법률원조");
    assert_eq!(
        compose_latin("dlsfurwkdnjstkghlqhwkdrnr"),
        "인력자원사회보장국"
    );
    assert_eq!(compose_latin("godwjdqhrdml"), "행정복의");
}

#[test]
fn compound_vowels_and_finals() {
    assert_eq!(compose_latin("rhk"), "과");
    assert_eq!(compose_latin("rho"), "괘");
    assert_eq!(compose_latin("rhl"), "괴");
    assert_eq!(compose_latin("dnj"), "워");
    assert_eq!(compose_latin("dnp"), "웨");
    assert_eq!(compose_latin("dnl"), "위");
    assert_eq!(compose_latin("dml"), "의");
    assert_eq!(compose_latin("dkswdk"), "앉아");
    assert_eq!(compose_latin("aksgdl"), "많이");
    assert_eq!(compose_latin("ekfrdms"), "닭은");
    assert_eq!(compose_latin("dlfgdjqjflek"), "잃어버리다");
    assert_eq!(compose_latin("djqt"), "없");
    assert_eq!(compose_latin("djqtdj"), "없어");
    assert_eq!(compose_latin("rkqtr"), "값ㄱ", "no final after a compound");
    assert_eq!(compose_latin("rkfr"), "갉");
}

#[test]
fn shifted_keys_and_finals_that_cannot_be() {
    assert_eq!(compose_latin("Rkw"), "깢");
    assert_eq!(compose_latin("dkEk"), "아따", "ㄸ is never a final");
    assert_eq!(compose_latin("dkQk"), "아빠");
    assert_eq!(compose_latin("dkWk"), "아짜");
    assert_eq!(compose_latin("dlTdj"), "있어", "ㅆ is a final");
    assert_eq!(compose_latin("dO"), "얘");
    assert_eq!(compose_latin("dP"), "예");
}

#[test]
fn lone_jamo_and_other_characters() {
    assert_eq!(compose_latin("r"), "ㄱ");
    assert_eq!(compose_latin("rr"), "ㄱㄱ");
    assert_eq!(compose_latin("k"), "ㅏ");
    assert_eq!(compose_latin("kk"), "ㅏㅏ");
    assert_eq!(compose_latin("hk"), "ㅘ");
    assert_eq!(compose_latin("rkr1"), "각1");
    assert_eq!(compose_latin("gks rmf"), "한 글");
    assert_eq!(compose(&['ㅏ', 'ㄱ']), "ㅏㄱ");
    assert_eq!(
        compose(&['ㄳ', 'ㅏ']),
        "ㄳㅏ",
        "no key types a compound final"
    );
}

#[test]
fn backspace_takes_back_one_keystroke_and_splits_what_it_joined() {
    let mut input = TypedInput::default();
    for key in "rkqtk".chars() {
        input.push(&jamo_for_key(key).unwrap().to_string(), 16);
    }
    let mut seen = vec![input.text()];
    while !input.is_empty() {
        input.backspace();
        seen.push(input.text());
    }
    assert_eq!(seen, ["갑사", "값", "갑", "가", "ㄱ", ""]);

    let mut input = TypedInput::default();
    for key in ["ㄱ", "ㅗ", "ㅏ"] {
        input.push(key, 16);
    }
    assert_eq!(input.text(), "과");
    input.backspace();
    assert_eq!(input.text(), "고");
}

#[test]
fn input_stops_at_its_length() {
    let mut input = TypedInput::default();
    assert!(input.push("ㅇ", 1));
    assert!(input.push("ㅣ", 1));
    assert!(input.push("ㅎ", 1), "이 + ㅎ is still one syllable (잏)");
    assert!(!input.push("ㅗ", 1), "이호 would be two");
    assert_eq!(input.text(), "잏");
    let mut chip = TypedInput::from_text("离婚");
    chip.backspace();
    assert_eq!(chip.text(), "离");
}

#[test]
fn the_keyboard_shifts_for_one_key_and_keeps_text_across_layouts() {
    let mut k = Keyboard::new(true, 16);
    k.shift();
    assert!(k.shifted());
    k.key("ㄲ");
    assert!(!k.shifted(), "Shift is for one key");
    k.key("ㅏ");
    k.key("ㄱ");
    assert_eq!(k.text(), "깍");
    k.switch_layout();
    assert!(!k.hangul());
    k.shift();
    assert!(!k.shifted(), "the Latin layout has no Shift");
    k.key("1");
    assert_eq!(k.text(), "깍1");
    k.backspace();
    k.backspace();
    assert_eq!(k.text(), "까");
    k.set_text("离婚");
    assert_eq!(k.text(), "离婚");
    k.clear();
    assert_eq!(k.text(), "");
}

#[test]
fn search_keys_take_syllables_apart() {
    assert_eq!(search_keys("과"), "ㄱㅗㅏ");
    assert_eq!(search_keys("값"), "ㄱㅏㅂㅅ");
    assert_eq!(search_keys("임금 체불"), "ㅇㅣㅁㄱㅡㅁㅊㅔㅂㅜㄹ");
    assert!(search_keys("이혼").starts_with(&search_keys("이호")));
    assert!(search_keys("이혼").starts_with(&search_keys("잏")));
    assert_eq!(search_keys("ㅘ"), "ㅗㅏ");
    assert_eq!(search_keys("Divorce 1"), "divorce1");
}

#[test]
fn the_initial_sound_rule_joins_both_spellings() {
    assert_eq!(search_keys("리혼"), search_keys("이혼"));
    assert_eq!(search_keys("로동 분쟁"), search_keys("노동 분쟁"));
    assert_eq!(search_keys("녀성"), search_keys("여성"));
    assert_eq!(search_keys("력사"), search_keys("역사"));
    assert_eq!(search_keys("량"), search_keys("양"));
    assert_ne!(
        search_keys("법률"),
        search_keys("법율"),
        "only a word's first syllable"
    );
    assert_eq!(initial_sound_rule('가'), '가');
    assert_eq!(initial_sound_rule('a'), 'a');
}

/// The keyboard composes any modern syllable (잏 on the way to 이혼): the embedded font
/// draws every one, and every key label, in both weights.
#[test]
fn the_kiosk_font_draws_everything_the_keyboard_can_type() {
    for weight in ["Regular", "Bold"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("ui/fonts/NotoSansCJKsc-{weight}-kiosk.otf"));
        let data = std::fs::read(&path).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let missing: Vec<char> = (S_BASE..S_BASE + S_COUNT)
            .filter_map(char::from_u32)
            .chain(DUBEOLSIK.iter().map(|&(_, j)| j))
            .chain(
                COMPOUND_VOWELS
                    .iter()
                    .chain(&COMPOUND_FINALS)
                    .map(|&(_, _, c)| c),
            )
            .chain("한글ABCShift".chars())
            .filter(|&c| face.glyph_index(c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "{weight}: {} missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(10)]
        );
    }
}

#[test]
fn every_key_of_the_layout_types_a_jamo_the_tables_know() {
    for (key, jamo) in DUBEOLSIK {
        assert!(is_consonant(jamo) || is_vowel(jamo), "{key}");
        assert!(
            initial_index(jamo).is_some() || vowel_index(jamo).is_some(),
            "{key} {jamo}"
        );
    }
    assert_eq!(
        jamo_for_key('K'),
        Some('ㅏ'),
        "no shifted ㅏ: the plain one"
    );
    assert_eq!(jamo_for_key('1'), None);
    assert_eq!(S_BASE + S_COUNT - 1, 0xD7A3);
}
