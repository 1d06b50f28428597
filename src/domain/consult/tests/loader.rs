//! Loader rejections: what a broken content file is refused with.

use super::*;

#[test]
fn the_minimal_fixture_is_valid() {
    let c = load(&base_files(GOOD_MATTER)).unwrap();
    assert_eq!(c.matters.len(), 1);
}

#[test]
fn a_cycle_is_rejected() {
    let m = GOOD_MATTER.replace(
        r#"{ id = "b", label = { zh-CN = "否" }, outcome = "o1" }"#,
        r#"{ id = "b", label = { zh-CN = "否" }, next = "q1" }"#,
    );
    assert!(
        invalid_message(&m).contains("loops back"),
        "{}",
        invalid_message(&m)
    );
}

#[test]
fn a_one_question_path_is_rejected() {
    let m = GOOD_MATTER.replace(
        r#"{ id = "b", label = { zh-CN = "否" }, next = "q2" }"#,
        r#"{ id = "b", label = { zh-CN = "否" }, outcome = "o1" }"#,
    );
    assert!(invalid_message(&m).contains("at least 2"));
}

#[test]
fn unknown_references_are_rejected_with_their_location() {
    let m = GOOD_MATTER.replace(r#"materials = ["id-card"]"#, r#"materials = ["passport"]"#);
    let msg = invalid_message(&m);
    assert!(
        msg.contains("matters/a.toml") && msg.contains("passport"),
        "{msg}"
    );
    let m = GOOD_MATTER.replace(
        r#"kind = "ticket", service = "mediation""#,
        r#"kind = "institution", institution = "embassy""#,
    );
    assert!(invalid_message(&m).contains("embassy"));
    let m = GOOD_MATTER.replace(r#"category = "family""#, r#"category = "work""#);
    assert!(invalid_message(&m).contains("unknown category"));
}

#[test]
fn an_invented_queue_service_is_a_parse_error() {
    let m = GOOD_MATTER.replace(r#"service = "mediation""#, r#"service = "tax-office""#);
    let msg = invalid_message(&m);
    assert!(
        msg.contains("tax-office") && msg.contains("legal-consultation"),
        "{msg}"
    );
}

#[test]
fn missing_chinese_text_and_unknown_fields_are_rejected() {
    let m = GOOD_MATTER.replace(r#"name = { zh-CN = "甲" }"#, r#"name = { en = "A" }"#);
    assert!(invalid_message(&m).contains("zh-CN"));
    let m = GOOD_MATTER.replace(r#"keywords = ["甲"]"#, "keywords = [\"甲\"]\npriority = 3");
    assert!(invalid_message(&m).contains("priority"));
}

#[test]
fn duplicate_ids_are_rejected() {
    let mut files = base_files(GOOD_MATTER);
    files.push(("matters/b.toml".into(), GOOD_MATTER.as_bytes().to_vec()));
    let msg = load(&files)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("also used by"), "{msg}");
    let m = GOOD_MATTER.replace(r#"id = "q2""#, r#"id = "q1""#);
    assert!(invalid_message(&m).contains("duplicate id"));
}

#[test]
fn unexpected_and_missing_files_are_rejected() {
    let mut files = base_files(GOOD_MATTER);
    files.push(("matter/typo.toml".into(), b"".to_vec()));
    assert!(matches!(
        load(&files),
        Err(CatalogueError::UnexpectedFile(_))
    ));
    let files = base_files(GOOD_MATTER)
        .into_iter()
        .skip(1)
        .collect::<Vec<_>>();
    assert!(matches!(
        load(&files),
        Err(CatalogueError::MissingFile("catalogue.toml"))
    ));
}
