use super::*;
use crate::domain::legal_aid::rules::JILIN_DEFAULT;

fn files(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    entries
        .iter()
        .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
        .collect()
}

#[test]
fn rules_without_a_threshold_are_refused_naming_the_field() {
    let no_threshold: String = JILIN_DEFAULT
        .lines()
        .filter(|l| !l.starts_with("monthly_income_per_person_max_yuan"))
        .collect::<Vec<_>>()
        .join("\n");
    let err = check_bundle(LEGAL_AID_RULES, &files(&[(RULES_FILE, &no_threshold)]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("rules.toml") && err.contains("monthly_income_per_person_max_yuan"),
        "{err}"
    );
    assert!(check_bundle(LEGAL_AID_RULES, &files(&[(RULES_FILE, JILIN_DEFAULT)])).is_ok());
}

#[test]
fn a_rules_bundle_without_its_file_or_with_stray_files_is_refused() {
    let err = check_bundle(LEGAL_AID_RULES, &files(&[("rules.tml", JILIN_DEFAULT)]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no rules.toml"), "{err}");
    let err = check_bundle(
        LEGAL_AID_RULES,
        &files(&[(RULES_FILE, JILIN_DEFAULT), ("extra.toml", "x = 1")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("extra.toml"), "{err}");
    assert!(
        check_bundle(
            LEGAL_AID_RULES,
            &files(&[(RULES_FILE, JILIN_DEFAULT), ("NOTES.md", "notes")])
        )
        .is_ok()
    );
}

#[test]
fn consultation_content_in_a_catalogue_bundle_is_checked_whole() {
    let services = crate::domain::queue::catalogue::BUILT_IN_SERVICES;
    assert!(check_bundle(CATALOGUE, &files(&[(SERVICES_FILE, services)])).is_ok());
    let mut shipped: BTreeMap<String, Vec<u8>> = crate::domain::consult::defaults::FILES
        .iter()
        .map(|(n, c)| (format!("{CONSULTATION_DIR}{n}"), c.as_bytes().to_vec()))
        .collect();
    shipped.insert(SERVICES_FILE.into(), services.as_bytes().to_vec());
    assert!(check_bundle(CATALOGUE, &shipped).is_ok());
    // One matter whose flow points at an outcome that does not exist spoils the bundle.
    let (name, matter) = crate::domain::consult::defaults::FILES
        .iter()
        .find(|(n, _)| n.starts_with("matters/"))
        .unwrap();
    let broken = matter.replacen("outcome = \"", "outcome = \"no-such-", 1);
    shipped.insert(format!("{CONSULTATION_DIR}{name}"), broken.into_bytes());
    let err = check_bundle(CATALOGUE, &shipped).unwrap_err().to_string();
    assert!(err.contains(name), "{err}");
    let err = check_bundle(
        CATALOGUE,
        &files(&[(SERVICES_FILE, services), ("servises.toml", "")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("servises.toml"), "{err}");
}

#[test]
fn settings_institutions_and_unknown_streams() {
    let err = check_bundle(SETTINGS, &files(&[(POLICY_FILE, "max_recalls = 99\n")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains(POLICY_FILE), "{err}");
    let province = provisioning::institutions::synthetic::province(20, 1);
    let json = String::from_utf8(province.to_json()).unwrap();
    assert!(check_bundle(INSTITUTIONS, &files(&[(INSTITUTIONS_FILE, &json)])).is_ok());
    // One institution outside China: the whole file is refused, naming the entry.
    let (lat, lng) = (
        province.institutions[3].location.unwrap().lat,
        province.institutions[3].location.unwrap().lng,
    );
    let bad = json.replacen(&format!("\"lat\":{lat}"), "\"lat\":70.5", 1);
    assert_ne!(bad, json, "{lat},{lng}");
    let err = check_bundle(INSTITUTIONS, &files(&[(INSTITUTIONS_FILE, &bad)]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(INSTITUTIONS_FILE) && err.contains("institutions[3]"),
        "{err}"
    );
    let err = check_bundle(
        INSTITUTIONS,
        &files(&[(INSTITUTIONS_FILE, "[[institution]]\nkind = 3\n")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(INSTITUTIONS_FILE), "{err}");
    let err = check_bundle("videos", &files(&[])).unwrap_err().to_string();
    assert!(err.contains("videos"), "{err}");
}

#[test]
fn a_refusal_is_reported_once_per_stream_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(&crate::store::Store::path_in(dir.path())).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    for _ in 0..3 {
        record_refusal(
            store.conn(),
            LEGAL_AID_RULES,
            2,
            "rules.toml: missing field",
            at,
        )
        .unwrap();
    }
    record_refusal(
        store.conn(),
        LEGAL_AID_RULES,
        3,
        "rules.toml: missing field",
        at,
    )
    .unwrap();
    let rows: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT payload FROM outbox WHERE kind = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([REFUSED_EVENT], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].contains("legal-aid-rules") && rows[0].contains("missing field"));
}
