//! `legal-kiosk legal-aid`: rule authors evaluate cases from files through the real binary,
//! in plain text or JSON, against the shipped rules or their own; bad input fails clearly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn legal_kiosk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .args(args)
        .env("LEGAL_KIOSK_LOG", "warn")
        // No terminal store here: the rules in force are the built-in ones, whatever the
        // machine running the tests has under its own data folder.
        .env(
            "XDG_DATA_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("legal-aid-cli-no-terminal"),
        )
        .env_remove("INVOCATION_ID")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content/legal-aid-rules/examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn shipped_rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content/legal-aid-rules/jilin.toml")
}

#[test]
fn a_case_file_is_evaluated_in_plain_text() {
    let out = legal_kiosk(&[
        "legal-aid",
        "--answers",
        &example("migrant-worker-wages.toml"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("result: no-means-test"), "{report}");
    assert!(report.contains("decided by: migrant-worker"), "{report}");
    assert!(report.contains("materials:"), "{report}");
    assert!(report.contains("notice:"), "{report}");
    // Which threshold answers, and from where; what no qualified person has checked.
    assert!(
        report.contains(
            "threshold: 2000 yuan per person a month, a PLACEHOLDER (from built-in rules)"
        ),
        "{report}"
    );
    assert!(report.contains("UNVERIFIED: this result rests on items no qualified person has checked: wages, migrant-worker"), "{report}");
    assert!(
        report.contains("unverified items in these rules"),
        "{report}"
    );
}

#[test]
fn the_json_report_names_the_threshold_in_force_and_its_source() {
    let out = legal_kiosk(&[
        "legal-aid",
        "--answers",
        &example("maintenance-at-threshold.toml"),
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["threshold"]["monthly_income_per_person_max_yuan"], 2000);
    assert_eq!(v["threshold"]["placeholder"], true);
    assert_eq!(v["threshold"]["source"]["kind"], "built-in");
    assert_eq!(v["threshold"]["source_text"], "built-in rules");
    let rules = shipped_rules();
    let out = legal_kiosk(&[
        "legal-aid",
        "--answers",
        &example("maintenance-at-threshold.toml"),
        "--rules",
        rules.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["threshold"]["source"]["kind"], "file");
    assert!(
        v["threshold"]["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("jilin.toml"),
        "{v}"
    );
}

#[test]
fn every_shipped_example_gives_the_result_it_expects_as_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/legal-aid-rules/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let body = std::fs::read_to_string(&path).unwrap();
        let Some(expected) = body.lines().find_map(|l| {
            l.split_once("expect = ")
                .map(|(_, e)| e.trim().trim_matches('"').to_owned())
        }) else {
            continue;
        };
        let rules = shipped_rules();
        let out = legal_kiosk(&[
            "legal-aid",
            "--answers",
            path.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
            "--json",
        ]);
        assert!(out.status.success(), "{}: {}", path.display(), text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["result"]["indication"],
            expected.as_str(),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 4, "the examples were found ({checked})");
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = legal_kiosk(&["legal-aid", "--answers", "/nonexistent/case.toml"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("/nonexistent/case.toml"),
        "{}",
        text(&missing)
    );

    let bad_rules = dir.path().join("rules.toml");
    std::fs::write(&bad_rules, "format = 1\nsurprise = true\n").unwrap();
    let out = legal_kiosk(&[
        "legal-aid",
        "--answers",
        &example("outside-scope.toml"),
        "--rules",
        bad_rules.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("rules.toml"), "{}", text(&out));

    let bad_case = dir.path().join("case.toml");
    std::fs::write(
        &bad_case,
        "matter = \"no-such-matter\"\nspecial_case = \"none\"\n",
    )
    .unwrap();
    let out = legal_kiosk(&["legal-aid", "--answers", bad_case.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no-such-matter"), "{}", text(&out));
    assert!(!text(&out).contains("panicked"), "{}", text(&out));
}
