//! Tests of the default content, the loader's rejections, the flow engine, search, the slip
//! and font coverage.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::defaults;
use super::flow::{Consultation, FlowError, Screen, ScreenView};
use super::load::CatalogueError;
use super::model::{Action, Catalogue};
use super::search::{SearchIndex, SearchTarget};
use super::slip::{GuidanceSlip, InstitutionAddress, SlipContext};
use super::text::Lang;

fn content_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content/catalogue/consultation")
}

fn catalogue() -> Arc<Catalogue> {
    match defaults::catalogue() {
        Ok(c) => Arc::new(c),
        Err(e) => panic!("default content is invalid:\n{e}"),
    }
}

/// Every complete path through a matter's flow: (answer ids, outcome id).
fn all_paths(c: &Arc<Catalogue>, matter: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut stack = vec![(Consultation::start(c.clone(), matter).unwrap(), Vec::new())];
    while let Some((flow, path)) = stack.pop() {
        assert!(
            path.len() <= 6,
            "{matter}: path {path:?} is too long (or loops)"
        );
        match flow.screen() {
            Screen::Outcome(o) => out.push((path, o.id.clone())),
            Screen::Question(q) => {
                for a in &q.answers {
                    let mut next = flow.clone();
                    next.answer(&a.id).unwrap();
                    let mut p = path.clone();
                    p.push(a.id.clone());
                    stack.push((next, p));
                }
            }
        }
    }
    out
}

fn base_files(matter: &str) -> Vec<(String, Vec<u8>)> {
    let cat = r#"
format = 1
version = "t"
disclaimer = { zh-CN = "仅供参考" }
[[service_area]]
id = "mediation"
name = { zh-CN = "人民调解" }
summary = { zh-CN = "调解" }
queue_service = "mediation"
[[institution_kind]]
id = "court"
name = { zh-CN = "法院" }
[[hotline]]
id = "12348"
number = "12348"
name = { zh-CN = "热线" }
[[category]]
id = "family"
name = { zh-CN = "家庭" }
"#;
    let mats = "[[material]]\nid = \"id-card\"\nname = { zh-CN = \"身份证\" }\n";
    vec![
        ("catalogue.toml".into(), cat.as_bytes().to_vec()),
        ("materials.toml".into(), mats.as_bytes().to_vec()),
        ("matters/a.toml".into(), matter.as_bytes().to_vec()),
    ]
}

const GOOD_MATTER: &str = r#"
id = "family.a"
category = "family"
areas = ["mediation"]
name = { zh-CN = "甲" }
summary = { zh-CN = "甲事" }
keywords = ["甲"]
[[question]]
id = "q1"
text = { zh-CN = "问一" }
answers = [ { id = "a", label = { zh-CN = "是" }, next = "q2" }, { id = "b", label = { zh-CN = "否" }, next = "q2" } ]
[[question]]
id = "q2"
text = { zh-CN = "问二" }
answers = [ { id = "a", label = { zh-CN = "是" }, outcome = "o1" }, { id = "b", label = { zh-CN = "否" }, outcome = "o1" } ]
[[outcome]]
id = "o1"
title = { zh-CN = "结果" }
summary = { zh-CN = "说明" }
basis = { zh-CN = "《人民调解法》第四条。" }
step = [ { kind = "ticket", service = "mediation", materials = ["id-card"] } ]
"#;

fn load(files: &[(String, Vec<u8>)]) -> Result<Catalogue, CatalogueError> {
    Catalogue::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
}

fn invalid_message(matter: &str) -> String {
    match load(&base_files(matter)) {
        Ok(_) => panic!("accepted invalid content"),
        Err(e) => e.to_string(),
    }
}

mod flow_and_slip;
mod fonts;
mod loader;
mod search;
mod shipped_content;
