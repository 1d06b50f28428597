//! Strict rules files and the command line.

use super::*;

#[test]
fn default_rules_parse_and_json_rules_parse_the_same() {
    let r = rules();
    assert_eq!(r.region, "jilin");
    assert!(r.hardship.placeholder);
    let as_toml: toml::Value = toml::from_str(JILIN_DEFAULT).unwrap();
    let json = serde_json::to_string(&as_toml).unwrap();
    let from_json = Rules::from_json(&json).unwrap();
    assert_eq!(from_json.scope.len(), r.scope.len());
}

#[test]
fn unknown_field_is_rejected_with_its_name() {
    let text = JILIN_DEFAULT.replace(
        "placeholder = true",
        "placeholder = true\nmonthly_income_min_yuan = 5",
    );
    match Rules::from_toml(&text) {
        Err(RulesError::Parse(msg)) => assert!(msg.contains("monthly_income_min_yuan"), "{msg}"),
        other => panic!("accepted: {:?}", other.map(|r| r.version)),
    }
    let text = JILIN_DEFAULT.replace("id = \"bravery\"", "id = \"bravery\"\nweight = 2");
    assert!(matches!(Rules::from_toml(&text), Err(RulesError::Parse(m)) if m.contains("weight")));
}

#[test]
fn missing_threshold_is_rejected_with_its_name() {
    let text: String = JILIN_DEFAULT
        .lines()
        .filter(|l| !l.starts_with("monthly_income_per_person_max_yuan"))
        .collect::<Vec<_>>()
        .join("\n");
    match Rules::from_toml(&text) {
        Err(RulesError::Parse(msg)) => {
            assert!(msg.contains("monthly_income_per_person_max_yuan"), "{msg}")
        }
        other => panic!("accepted: {:?}", other.map(|r| r.version)),
    }
    let zero = JILIN_DEFAULT.replace(
        "monthly_income_per_person_max_yuan = 2000",
        "monthly_income_per_person_max_yuan = 0",
    );
    assert!(
        matches!(Rules::from_toml(&zero), Err(RulesError::Invalid(p)) if p[0].contains("above 0"))
    );
}

#[test]
fn inconsistent_rules_are_rejected() {
    let text = JILIN_DEFAULT.replace(
        "requires_scope = [\"wages\", \"work-injury\"]",
        "requires_scope = [\"wagez\"]",
    );
    assert!(
        matches!(Rules::from_toml(&text), Err(RulesError::Invalid(p)) if p.iter().any(|x| x.contains("wagez")))
    );
    let text = JILIN_DEFAULT.replace("materials = [\"dv-proof\"]", "materials = [\"nope\"]");
    assert!(
        matches!(Rules::from_toml(&text), Err(RulesError::Invalid(p)) if p.iter().any(|x| x.contains("nope")))
    );
    let text = JILIN_DEFAULT.replace("id = \"bravery\"", "id = \"wages\"");
    assert!(
        matches!(Rules::from_toml(&text), Err(RulesError::Invalid(p)) if p.iter().any(|x| x.contains("also used")))
    );
}

// ---------------------------------------------------------------- CLI

#[test]
fn cli_evaluates_a_case_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(
        &dir,
        "a.toml",
        "age = 30\nspecial_case = \"none\"\nmatter = \"wages\"\ngroup = \"migrant-worker\"\nhousehold_size = 2\n",
    );
    let out = run_legal_aid_cli(&answers, None, false).unwrap();
    assert!(out.contains("result: no-means-test"), "{out}");
    assert!(out.contains("第四十二条第三项"), "{out}");
    assert!(out.contains("not asked (ignored): household_size"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&run_legal_aid_cli(&answers, None, true).unwrap()).unwrap();
    assert_eq!(json["result"]["indication"], "no-means-test");
    assert_eq!(json["rules"]["region"], "jilin");
}

#[test]
fn cli_uses_a_rules_file_and_reports_missing_answers_and_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        &dir,
        "r.toml",
        &JILIN_DEFAULT.replace(
            "monthly_income_per_person_max_yuan = 2000",
            "monthly_income_per_person_max_yuan = 100",
        ),
    );
    let answers = write(
        &dir,
        "a.json",
        r#"{"special_case":"none","matter":"wages","group":"none","priority_group":"none","household_size":1,"household_monthly_income_yuan":150}"#,
    );
    let out = run_legal_aid_cli(&answers, Some(&rules), false).unwrap();
    assert!(
        out.contains("over-threshold"),
        "the rules file's threshold is used: {out}"
    );
    let out = run_legal_aid_cli(&answers, None, false).unwrap();
    assert!(
        out.contains("under-threshold"),
        "the default threshold otherwise: {out}"
    );

    let missing = write(&dir, "m.toml", "special_case = \"none\"\n");
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&missing, None, false).unwrap_err()
    );
    assert!(err.contains("`matter`") && err.contains("wages"), "{err}");
    let unknown = write(&dir, "u.toml", "special_case = \"none\"\nincome = 3\n");
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&unknown, None, false).unwrap_err()
    );
    assert!(err.contains("income"), "{err}");
    let bad_rules = write(&dir, "bad.toml", "format = 1\n");
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&answers, Some(&bad_rules), false).unwrap_err()
    );
    assert!(
        err.contains("bad.toml") && err.contains("missing field"),
        "{err}"
    );
    let err = format!(
        "{:#}",
        run_legal_aid_cli(&dir.path().join("none.toml"), None, false).unwrap_err()
    );
    assert!(err.contains("none.toml"), "{err}");
}
