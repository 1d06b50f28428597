use chrono::NaiveDateTime;
use provisioning::institutions::bundle::{Holiday, PlatformLocation};
use provisioning::institutions::{
    Datum, Institution, InstitutionKind, InstitutionsFile, LocalizedName, Location, OpeningHours,
    Wheelchair,
};

use super::*;

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn institution(id: &str, kind: InstitutionKind, region: &str, lat: f64, lng: f64) -> Institution {
    Institution {
        id: id.into(),
        kind,
        name: LocalizedName {
            zh_cn: format!("{id}公证处"),
            ko_kr: Some(format!("{id} 공증처")),
            en: None,
        },
        region: region.into(),
        address: format!("示例路{id}号"),
        phone: "0431-88888888".into(),
        hours: Some(OpeningHours::parse("Mo-Fr 08:30-11:30,13:00-17:00; Sa 09:00-12:00").unwrap()),
        hours_note: String::new(),
        services: vec!["公证".into(), "咨询".into()],
        free_services: if id.starts_with('f') {
            vec!["咨询".into()]
        } else {
            vec![]
        },
        location: Some(Location::gcj02(lat, lng)),
        wheelchair: Wheelchair::Yes,
    }
}

/// The platform `cy` at (43.0, 125.0) GCJ-02 in district 220104; distances as in the
/// provisioning crate's hand-computed table (haversine, R = 6371008.8 m): 0.01° of
/// latitude = 1111.95 m, 0.01° of longitude at 43° = 813.23 m.
fn province() -> Institutions {
    let mut file = InstitutionsFile::new(
        Datum::Gcj02,
        vec![
            institution(
                "north",
                InstitutionKind::NotaryOffice,
                "220104",
                43.01,
                125.0,
            ),
            institution(
                "east",
                InstitutionKind::NotaryOffice,
                "220102",
                43.0,
                125.01,
            ),
            institution(
                "distant",
                InstitutionKind::NotaryOffice,
                "220203",
                43.02,
                125.0,
            ),
            institution(
                "free",
                InstitutionKind::LegalAidCentre,
                "220104",
                43.0,
                125.02,
            ),
            institution("other", InstitutionKind::LawFirm, "230102", 45.0, 126.0),
        ],
    );
    file.platforms.push(PlatformLocation {
        id: "cy".into(),
        location: Location::gcj02(43.0, 125.0),
    });
    file.holidays.push(Holiday {
        date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        name: "国庆节".into(),
    });
    // Through its own parser, as a bundle arrives.
    Institutions::parse(&file.to_json()).expect("a valid bundle")
}

fn here() -> Here {
    Here {
        platform: Some("cy".into()),
        region: Some("220104".into()),
    }
}

fn ids(places: &[Place]) -> Vec<&str> {
    places.iter().map(|p| p.id.as_str()).collect()
}

#[test]
fn an_outcome_gets_the_three_nearest_of_its_kind_from_this_platform() {
    let p = province();
    let nearest = p.nearest(
        "notary-office",
        &here(),
        at("2026-12-02 10:00"),
        Lang::ZhCn,
        3,
    );
    assert_eq!(ids(&nearest), ["east", "north", "distant"]);
    let metres: Vec<f64> = nearest.iter().map(|p| p.distance_m.unwrap()).collect();
    for (got, want) in metres.iter().zip([813.23, 1111.95, 2223.90]) {
        assert!((got - want).abs() < 0.05, "{got} vs {want}");
    }
    assert_eq!(nearest[0].distance(Lang::ZhCn).as_deref(), Some("810 米"));
    assert_eq!(nearest[1].distance(Lang::En).as_deref(), Some("1.1 km"));
    // A kind the directory does not hold (a court): nothing, not a wrong place.
    assert!(
        p.nearest("court", &here(), at("2026-12-02 10:00"), Lang::ZhCn, 3)
            .is_empty()
    );
}

#[test]
fn reach_narrows_to_the_district_city_or_province_of_this_terminal() {
    let p = province();
    let now = at("2026-12-02 10:00");
    let search = |reach| {
        p.search(
            &Filter {
                reach,
                ..Filter::default()
            },
            &here(),
            now,
            Lang::ZhCn,
            0,
        )
    };
    assert_eq!(ids(&search(Reach::District)), ["north", "free"]);
    assert_eq!(ids(&search(Reach::City)), ["east", "north", "free"]);
    assert_eq!(
        ids(&search(Reach::Province)),
        ["east", "north", "free", "distant"]
    );
    // A terminal that does not know its region sees everything, by kind then id.
    let unknown = p.search(&Filter::default(), &Here::default(), now, Lang::ZhCn, 0);
    assert_eq!(unknown.len(), 5);
    assert!(unknown.iter().all(|p| p.distance_m.is_none()));
}

#[test]
fn open_now_and_free_only_filter_and_the_hours_read_in_each_language() {
    let p = province();
    let filter = |open_now, free_only| Filter {
        reach: Reach::Province,
        open_now,
        free_only,
        ..Filter::default()
    };
    // Wednesday 12:00 is the lunch break: nobody is open.
    assert!(
        p.search(
            &filter(true, false),
            &here(),
            at("2026-12-02 12:00"),
            Lang::ZhCn,
            0
        )
        .is_empty()
    );
    assert_eq!(
        p.search(
            &filter(true, false),
            &here(),
            at("2026-12-02 13:00"),
            Lang::ZhCn,
            0
        )
        .len(),
        4
    );
    assert_eq!(
        ids(&p.search(
            &filter(false, true),
            &here(),
            at("2026-12-02 13:00"),
            Lang::ZhCn,
            0
        )),
        ["free"]
    );

    let place = p
        .find("north", &here(), at("2026-12-02 10:00"), Lang::ZhCn)
        .unwrap();
    assert_eq!(place.open_now, Some(true));
    assert_eq!(
        place.today.as_deref(),
        Some("今天 08:30-11:30、13:00-17:00")
    );
    assert_eq!(
        place.hours.as_deref(),
        Some("周一至周五 08:30-11:30、13:00-17:00；周六 09:00-12:00；节假日休息")
    );
    assert_eq!(place.summary(Lang::ZhCn), "1.1 公里 · 正在营业");
    let ko = p
        .find("north", &here(), at("2026-12-06 10:00"), Lang::KoKr)
        .unwrap();
    assert_eq!(ko.name, "north 공증처");
    assert_eq!(ko.today.as_deref(), Some("오늘 휴무"));
    assert_eq!(ko.kind_name, "공증처");
    let en = p
        .find("north", &here(), at("2026-12-02 10:00"), Lang::En)
        .unwrap();
    assert_eq!(en.name, "north公证处", "no English name: the Chinese one");
    assert_eq!(
        en.hours.as_deref(),
        Some("Mon–Fri 08:30-11:30, 13:00-17:00; Sat 09:00-12:00; Closed on public holidays")
    );
}

#[test]
fn a_public_holiday_from_the_bundle_closes_and_names_the_day() {
    let p = province();
    // 2026-10-01 is a Thursday, and 国庆节 in the bundle.
    let place = p
        .find("north", &here(), at("2026-10-01 10:00"), Lang::ZhCn)
        .unwrap();
    assert_eq!(place.open_now, Some(false));
    assert_eq!(place.today.as_deref(), Some("今天休息（国庆节）"));
}

#[test]
fn the_navigation_link_follows_the_centres_pattern_with_the_institutions_coordinates() {
    let p = province();
    let place = p
        .find("east", &here(), at("2026-12-02 10:00"), Lang::KoKr)
        .unwrap();
    let link = place.navigation.unwrap();
    assert!(link.starts_with("https://uri.amap.com/marker?position=125.010000,43.000000&name=east%E5%85%AC%E8%AF%81%E5%A4%84"), "{link}");
    assert!(
        p.find("nowhere", &here(), at("2026-12-02 10:00"), Lang::ZhCn)
            .is_none()
    );
}

#[test]
fn a_tampered_or_malformed_file_is_refused() {
    assert!(Institutions::parse(b"{not json").is_err());
    let mut file = InstitutionsFile::new(
        Datum::Gcj02,
        vec![institution(
            "x",
            InstitutionKind::LawFirm,
            "220104",
            0.0,
            0.0,
        )],
    );
    file.institutions[0].location = Some(Location::gcj02(0.0, 0.0));
    assert!(
        Institutions::parse(&file.to_json()).is_err(),
        "coordinates outside China"
    );
}

#[test]
fn distances_round_as_a_citizen_reads_them() {
    assert_eq!(distance_text(3.0, Lang::ZhCn), "10 米");
    assert_eq!(distance_text(994.0, Lang::ZhCn), "990 米");
    assert_eq!(distance_text(1049.0, Lang::KoKr), "1.0km");
    assert_eq!(distance_text(12_600.0, Lang::En), "13 km");
}

#[test]
fn the_kinds_offered_are_those_the_bundle_holds_in_display_order() {
    let kinds = province().kinds();
    assert_eq!(
        kinds,
        [
            InstitutionKind::LegalAidCentre,
            InstitutionKind::LawFirm,
            InstitutionKind::NotaryOffice
        ]
    );
    for kind in InstitutionKind::ALL {
        for lang in Lang::ALL {
            assert!(!kind_name(kind, lang).is_empty());
        }
    }
}

#[test]
fn the_sample_directory_is_a_valid_bundle_and_says_it_is_an_example() {
    let file = sample::sample_file();
    assert!(file.problems().is_empty(), "{:?}", file.problems());
    assert!(
        file.institutions
            .iter()
            .all(|i| i.name.zh_cn.starts_with("示例"))
    );
    let parsed = Institutions::parse(&file.to_json()).unwrap();
    assert!(parsed.location_of(&sample::sample_here()).is_some());
}
