//! A `legal-aid-rules` bundle the kiosk cannot use never replaces the province's rules in
//! force: published through the real registry on 127.0.0.1, refused before anything changes,
//! reported to the operations centre, and the previous rules keep answering (seen through
//! `legal-kiosk legal-aid`, which answers with the rules in force on this terminal).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::registry::{Registry, write_config};

const JILIN: &str = include_str!("../content/legal-aid-rules/jilin.toml");

fn legal_kiosk(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_legal-kiosk"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("LEGAL_KIOSK_LOG", "warn")
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

/// The self-check of one person earning 1,600 a month, claiming wages, as JSON.
fn check(config: &Path, answers: &Path) -> serde_json::Value {
    let out = legal_kiosk(
        config,
        &[
            "legal-aid",
            "--answers",
            answers.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_rules_bundle_without_a_threshold_is_refused_and_the_province_rules_still_answer() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &registry, "");
    let answers = dir.path().join("case.toml");
    std::fs::write(
        &answers,
        "special_case = \"none\"\nmatter = \"wages\"\ngroup = \"none\"\npriority_group = \"none\"\nhousehold_size = 1\nhousehold_monthly_income_yuan = 1600\n",
    )
    .unwrap();

    // Before any bundle: the built-in rules, whose threshold (2,000) is a placeholder.
    let built_in = check(&config, &answers);
    assert_eq!(built_in["threshold"]["source"]["kind"], "built-in");
    assert_eq!(built_in["threshold"]["placeholder"], true);
    assert_eq!(built_in["result"]["indication"], "likely-eligible");

    let enrolled = legal_kiosk(&config, &["enroll", "--code", &registry.code()]);
    assert!(enrolled.status.success(), "{}", text(&enrolled));

    // The province's rules: a threshold of 1,500 a head.
    let province = JILIN
        .replace(
            "monthly_income_per_person_max_yuan = 2000",
            "monthly_income_per_person_max_yuan = 1500",
        )
        .replace("placeholder = true", "placeholder = false")
        .replace(
            "version = \"2026.1-default\"",
            "version = \"jilin-2026-test\"",
        );
    assert_ne!(
        province, JILIN,
        "the test rules differ from the shipped ones"
    );
    registry.publish("legal-aid-rules", 1, &[("rules.toml", &province)]);
    let synced = legal_kiosk(&config, &["sync", "--once"]);
    assert!(synced.status.success(), "{}", text(&synced));
    assert!(
        text(&synced).contains("bundle legal-aid-rules version 1: in force"),
        "{}",
        text(&synced)
    );
    let in_force = check(&config, &answers);
    assert_eq!(in_force["rules"]["version"], "jilin-2026-test");
    assert_eq!(
        in_force["threshold"]["monthly_income_per_person_max_yuan"],
        1500
    );
    assert_eq!(in_force["threshold"]["source"]["kind"], "bundle");
    assert_eq!(in_force["threshold"]["source"]["bundle_version"], 1);
    assert_eq!(
        in_force["result"]["indication"], "staff-review",
        "1,600 > 1,500"
    );

    // A newer bundle without the hardship threshold: refused, with the field named.
    let no_threshold: String = province
        .lines()
        .filter(|l| !l.starts_with("monthly_income_per_person_max_yuan"))
        .collect::<Vec<_>>()
        .join("\n");
    registry.publish("legal-aid-rules", 2, &[("rules.toml", &no_threshold)]);
    let refused = legal_kiosk(&config, &["sync", "--once"]);
    assert!(refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("bundle legal-aid-rules version 2: refused")
            && text(&refused).contains("monthly_income_per_person_max_yuan"),
        "{}",
        text(&refused)
    );

    // The province's rules still answer, with their threshold and source.
    let after = check(&config, &answers);
    assert_eq!(after["rules"]["version"], "jilin-2026-test");
    assert_eq!(
        after["threshold"]["monthly_income_per_person_max_yuan"],
        1500
    );
    assert_eq!(after["threshold"]["source"]["bundle_version"], 1);
    assert_eq!(after["result"]["indication"], "staff-review");

    // The operations centre heard about it: one report, naming stream, version and reason,
    // however often the bundle is offered again.
    let again = legal_kiosk(&config, &["sync", "--once"]);
    assert!(again.status.success(), "{}", text(&again));
    let reports: Vec<serde_json::Value> = registry
        .sqlite()
        .with(|c| {
            let mut stmt = c.prepare("SELECT payload FROM events WHERE kind = 'bundle.refused'")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
        .iter()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0]["stream"], "legal-aid-rules");
    assert_eq!(reports[0]["version"], 2);
    assert!(
        reports[0]["reason"]
            .as_str()
            .unwrap()
            .contains("monthly_income_per_person_max_yuan"),
        "{reports:?}"
    );
}
