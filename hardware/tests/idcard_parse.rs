//! The text block of every layout, built here at the reference's literal offsets
//! (reference §2), so a wrong offset in the parser cannot hide behind a shared helper.

use chrono::NaiveDate;
use hardware::idcard::read::{ReadPayloadError, parse_read_payload};
use hardware::idcard::sim::samples;
use hardware::idcard::text::{self, TextError};
use hardware::idcard::{CardType, Gender, IdNumberCheck};

/// A block of spaces with `fields` written as UCS-2LE at byte offsets.
fn block(fields: &[(usize, &str)]) -> [u8; 256] {
    let mut block = [0u8; 256];
    for pair in block.chunks_exact_mut(2) {
        pair[0] = b' ';
    }
    for (offset, text) in fields {
        for (i, unit) in text.encode_utf16().enumerate() {
            block[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&unit.to_le_bytes());
        }
    }
    block
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn resident_layout() {
    let b = block(&[
        (0, "欧阳晓梅"),
        (30, "2"),
        (32, "08"),
        (36, "19921103"),
        (52, "广西壮族自治区南宁市青秀区示例路8号"),
        (122, "450103199211030023"),
        (158, "南宁市公安局青秀分局"),
        (188, "20210410"),
        (204, "20410410"),
    ]);
    let card = text::parse(&b).unwrap();
    assert_eq!(card.card_type(), CardType::Resident);
    assert_eq!(card.name(), "欧阳晓梅");
    assert_eq!(card.gender(), Gender::Female);
    let nation = card.nation().unwrap();
    assert_eq!((nation.code, nation.name), ("08", Some("壮")));
    assert_eq!(card.birth_date(), date(1992, 11, 3));
    assert_eq!(card.address(), Some("广西壮族自治区南宁市青秀区示例路8号"));
    assert_eq!(card.id_number(), "450103199211030023");
    assert_eq!(card.id_number_check(), IdNumberCheck::Valid);
    assert_eq!(card.issuer(), Some("南宁市公安局青秀分局"));
    assert_eq!(card.valid_from(), date(2021, 4, 10));
    assert_eq!(card.valid_until(), Some(date(2041, 4, 10)));
    assert!(!card.is_long_term());
    assert_eq!(card.name_en(), None);
    assert_eq!(card.nationality(), None);
    assert_eq!(card.permit_number(), None);
    assert_eq!(card.age_on(date(2026, 11, 2)), 33);
    assert_eq!(card.age_on(date(2026, 11, 3)), 34);
}

#[test]
fn long_term_validity_is_not_a_date() {
    let b = block(&[
        (0, "李桂兰"),
        (30, "2"),
        (32, "01"),
        (36, "19480920"),
        (122, "410105194809200042"),
        (188, "20120508"),
        (204, "长期"),
    ]);
    let card = text::parse(&b).unwrap();
    assert!(card.is_long_term());
    assert_eq!(card.valid_until(), None);
    assert!(!card.is_expired_on(date(2099, 1, 1)));
    assert!(card.age_on(date(2026, 1, 1)) >= 60);
}

#[test]
fn hmt_residence_permit_layout() {
    let b = block(&[
        (0, "陈家明"),
        (30, "1"),
        (36, "19881201"),
        (52, "广东省深圳市福田区示例大道88号"),
        (122, "810000198812010034"),
        (158, "深圳市公安局"),
        (188, "20230601"),
        (204, "20280601"),
        (220, "H10293847"),
        (238, "01"),
        (248, "J"),
    ]);
    let card = text::parse(&b).unwrap();
    assert_eq!(card.card_type(), CardType::HmtResidencePermit);
    assert_eq!(card.name(), "陈家明");
    assert_eq!(card.gender(), Gender::Male);
    assert!(card.nation().is_none(), "permits carry no nation");
    assert_eq!(card.id_number(), "810000198812010034");
    assert!(card.id_number_valid());
    assert_eq!(card.permit_number(), Some("H10293847"));
    assert_eq!(card.issue_count(), Some("01"));
    assert_eq!(card.issuer(), Some("深圳市公安局"));
    assert_eq!(card.valid_until(), Some(date(2028, 6, 1)));
}

#[test]
fn foreign_permanent_2017_layout() {
    let b = block(&[
        (0, "TESTER JOHN ALEXANDER"),
        (120, "1"),
        (122, "USA110087030512"),
        (152, "USA"),
        (158, "约翰"),
        (188, "20180401"),
        (204, "20280401"),
        (220, "19870305"),
        (236, "01"),
        (240, "1100"),
        (248, "I"),
    ]);
    let card = text::parse(&b).unwrap();
    assert_eq!(card.card_type(), CardType::ForeignPermanent2017);
    assert_eq!(card.name_en(), Some("TESTER JOHN ALEXANDER"));
    assert_eq!(card.name(), "约翰");
    assert_eq!(card.gender(), Gender::Male);
    assert_eq!(card.id_number(), "USA110087030512");
    assert_eq!(card.id_number_check(), IdNumberCheck::Valid);
    assert_eq!(card.nationality(), Some("USA"));
    assert_eq!(card.birth_date(), date(1987, 3, 5));
    assert_eq!(card.valid_from(), date(2018, 4, 1));
    assert_eq!(card.card_version(), Some("01"));
    assert_eq!(card.accepting_office(), Some("1100"));
    assert_eq!(card.address(), None);
    assert_eq!(card.issuer(), None);
}

#[test]
fn foreign_permanent_2023_layout_joins_the_english_name() {
    // Characters 1–35 end exactly at a word; 36–46 begin with the space.
    let b = block(&[
        (0, "亚历山德拉"),
        (30, "2"),
        (32, "00"),
        (36, "19900315"),
        (52, "SAMPLE-TESTFORD ALEXANDRA CATHERINE"),
        (122, "91241119900315002X"),
        (188, "20240110"),
        (204, "20340110"),
        (220, " ELIZABETH"),
        (242, "CAN"),
        (248, "Y"),
        (250, "000"),
    ]);
    let card = text::parse(&b).unwrap();
    assert_eq!(card.card_type(), CardType::ForeignPermanent2023);
    assert_eq!(card.name(), "亚历山德拉");
    assert_eq!(
        card.name_en(),
        Some("SAMPLE-TESTFORD ALEXANDRA CATHERINE ELIZABETH")
    );
    assert_eq!(card.gender(), Gender::Female);
    assert_eq!(card.issue_count(), Some("00"));
    assert_eq!(card.birth_date(), date(1990, 3, 15));
    assert_eq!(card.id_number(), "91241119900315002X");
    assert!(card.id_number_valid());
    assert_eq!(card.nationality(), Some("CAN"));
    assert_eq!(
        card.previous_number_link(),
        None,
        "000 means no previous card"
    );
    assert_eq!(card.valid_until(), Some(date(2034, 1, 10)));
}

#[test]
fn unknown_nation_code_is_kept_raw() {
    let b = block(&[
        (30, "1"),
        (32, "59"),
        (36, "19900202"),
        (188, "20180110"),
        (204, "20380110"),
    ]);
    let card = text::parse(&b).unwrap();
    let nation = card.nation().unwrap();
    assert_eq!(nation.code, "59");
    assert_eq!(nation.name, None);
    assert_eq!(nation.to_string(), "59");
}

#[test]
fn invalid_check_digit_is_reported_not_accepted() {
    let b = block(&[
        (36, "19800505"),
        (122, "110108198005050015"),
        (188, "20200601"),
        (204, "20400601"),
    ]);
    let card = text::parse(&b).unwrap();
    assert_eq!(card.id_number_check(), IdNumberCheck::InvalidCheckDigit);
    assert!(!card.id_number_valid());
    let b = block(&[
        (36, "19800505"),
        (122, "11010819800505"),
        (188, "20200601"),
        (204, "20400601"),
    ]);
    assert_eq!(
        text::parse(&b).unwrap().id_number_check(),
        IdNumberCheck::Malformed
    );
}

#[test]
fn lower_case_x_is_accepted_and_normalised() {
    let b = block(&[
        (36, "19750712"),
        (122, "33010619750712104x"),
        (188, "20150302"),
        (204, "20350302"),
    ]);
    let card = text::parse(&b).unwrap();
    assert_eq!(card.id_number(), "33010619750712104X");
    assert!(card.id_number_valid());
}

#[test]
fn unknown_gender_code_is_kept() {
    let b = block(&[
        (30, "7"),
        (36, "19750712"),
        (188, "20150302"),
        (204, "20350302"),
    ]);
    assert_eq!(text::parse(&b).unwrap().gender(), Gender::Other('7'));
}

#[test]
fn bad_dates_are_typed_errors_naming_the_field_only() {
    let b = block(&[(36, "19751332"), (188, "20150302"), (204, "20350302")]);
    let err = text::parse(&b).err().unwrap();
    assert_eq!(err, TextError::InvalidDate("birth_date"));
    let b = block(&[(36, "19750712"), (188, "20150302"), (204, "长久")]);
    assert_eq!(
        text::parse(&b).err(),
        Some(TextError::InvalidDate("valid_until"))
    );
}

#[test]
fn debug_output_redacts_personal_fields() {
    let read = parse_read_payload(
        &samples::sample("resident-ouyang").unwrap().read_payload(),
        false,
    )
    .unwrap();
    let shown = format!("{read:?}");
    for secret in ["欧阳", "450103199211030023", "南宁", "1992", "壮"] {
        assert!(!shown.contains(secret), "{secret} leaked into {shown}");
    }
    assert!(shown.contains("Resident"));
}

#[test]
fn read_payload_lengths_are_honoured() {
    let card = samples::sample("hmt-chen").unwrap();
    let read = parse_read_payload(&card.read_payload_with_fingerprints(), true).unwrap();
    assert_eq!(read.card.card_type(), CardType::HmtResidencePermit);
    assert_eq!(read.photo.bytes(), card.photo());
    let mut short = card.read_payload();
    short.pop();
    assert!(matches!(
        parse_read_payload(&short, false),
        Err(ReadPayloadError::Lengths {
            got: 1283,
            text: 256,
            photo: 1024,
            ..
        })
    ));
    assert!(matches!(
        parse_read_payload(&[], false),
        Err(ReadPayloadError::Lengths { .. })
    ));
    // A text length below 256 cannot hold a layout.
    let mut small_text = card.read_payload();
    small_text[0..2].copy_from_slice(&255u16.to_be_bytes());
    small_text.remove(4);
    assert!(parse_read_payload(&small_text, false).is_err());
}

#[test]
fn every_sample_parses_with_the_traits_its_description_promises() {
    let today = date(2026, 1, 1);
    for sample in samples::SAMPLES {
        let sim_card = (sample.build)();
        let read = parse_read_payload(&sim_card.read_payload(), false)
            .unwrap_or_else(|e| panic!("{}: {e}", sample.id));
        let card = &read.card;
        let expect_valid = sample.id != "resident-bad-check";
        assert_eq!(card.id_number_valid(), expect_valid, "{}", sample.id);
        assert!(!card.display_name().is_empty(), "{}", sample.id);
        match sample.id {
            "resident-ouyang" => assert!(card.name().starts_with("欧阳")),
            "resident-li-elderly" | "resident-jin-korean" => {
                assert!(card.age_on(today) >= 60);
                assert!(card.is_long_term());
            }
            "resident-wang-longterm" => assert!(card.is_long_term()),
            "resident-liu-minor" => assert!(card.age_on(today) < 18),
            "resident-unknown-nation" => assert_eq!(card.nation().unwrap().name, None),
            "resident-lowercase-x" => assert!(card.id_number().ends_with('X')),
            "hmt-chen" => assert_eq!(card.card_type(), CardType::HmtResidencePermit),
            "foreign-2017-tester" => assert_eq!(card.card_type(), CardType::ForeignPermanent2017),
            "foreign-2023-sample" => assert_eq!(card.card_type(), CardType::ForeignPermanent2023),
            _ => {}
        }
    }
    let types: std::collections::HashSet<_> = samples::SAMPLES
        .iter()
        .map(|s| text::card_type((s.build)().text()).unwrap())
        .collect();
    assert_eq!(types.len(), 4, "every layout has a sample");
}
