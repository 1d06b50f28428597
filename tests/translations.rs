//! Every string a citizen can see goes through `@tr` and has a Chinese and a Korean
//! translation (English is the source language); no translation is left over for a string
//! that no longer exists; placeholders survive translation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LANGS: [&str; 2] = ["zh_CN", "ko_KR"];

/// Labels that must not be translated: each language's name in its own script.
const UNTRANSLATED_ON_PURPOSE: [&str; 3] = ["中文", "한국어", "English"];

fn slint_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "slint") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"), &mut out);
    out.sort();
    out
}

/// Reads a string literal starting at the opening quote; returns it and the rest.
fn string_literal(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.strip_prefix('"')?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                other => out.push(other),
            },
            '"' => return Some((out, &s[i + 2..])),
            c => out.push(c),
        }
    }
    None
}

/// Every `@tr(...)` msgid in the UI, including both forms of a plural.
fn ui_strings() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in slint_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("@tr(") {
            rest = rest[at + 4..].trim_start();
            let (msgid, after) = string_literal(rest)
                .unwrap_or_else(|| panic!("{name}: @tr( without a string literal"));
            found.insert(msgid, name.clone());
            let after = after.trim_start();
            if let Some(plural) = after.strip_prefix('|') {
                let (plural, _) = string_literal(plural.trim_start()).unwrap();
                found.insert(plural, name.clone());
            }
            rest = after;
        }
    }
    found
}

fn po_entries(lang: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/lang")
        .join(lang)
        .join("LC_MESSAGES/kiosk-ui.po");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut entries = BTreeMap::new();
    let (mut msgid, mut msgstr, mut in_str): (Option<String>, String, Option<bool>) =
        (None, String::new(), None);
    let mut flush = |msgid: &mut Option<String>, msgstr: &mut String| {
        if let Some(id) = msgid.take()
            && !id.is_empty()
        {
            entries.insert(id, std::mem::take(msgstr));
        }
        msgstr.clear();
    };
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("msgid ") {
            flush(&mut msgid, &mut msgstr);
            msgid = Some(string_literal(rest).unwrap().0);
            in_str = Some(false);
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            msgstr = string_literal(rest).unwrap().0;
            in_str = Some(true);
        } else if line.starts_with('"') {
            let part = string_literal(line).unwrap().0;
            match in_str {
                Some(false) => msgid.get_or_insert_with(String::new).push_str(&part),
                Some(true) => msgstr.push_str(&part),
                None => {}
            }
        }
    }
    flush(&mut msgid, &mut msgstr);
    entries
}

#[test]
fn every_ui_string_is_translated_into_chinese_and_korean() {
    let ui = ui_strings();
    assert!(
        ui.len() > 20,
        "found only {} UI strings: is the parser broken?",
        ui.len()
    );
    let mut missing = Vec::new();
    for lang in LANGS {
        let po = po_entries(lang);
        for (msgid, file) in &ui {
            match po.get(msgid) {
                Some(t) if !t.trim().is_empty() => {
                    let holes = |s: &str| s.matches("{}").count();
                    assert_eq!(
                        holes(msgid),
                        holes(t),
                        "{lang}: placeholders differ for {msgid:?}"
                    );
                }
                _ => missing.push(format!("{lang}: {msgid:?} (from {file})")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "untranslated UI strings:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_translation_is_left_over_for_a_string_the_ui_no_longer_has() {
    let ui: BTreeSet<String> = ui_strings().into_keys().collect();
    for lang in LANGS {
        let stale: Vec<String> = po_entries(lang)
            .into_keys()
            .filter(|id| !ui.contains(id))
            .collect();
        assert!(stale.is_empty(), "{lang}: stale translations {stale:?}");
    }
}

#[test]
fn no_visible_text_bypasses_translation() {
    let mut offenders = Vec::new();
    for file in slint_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            for key in ["text:", "title:", "detail:"] {
                if let Some(value) = line.strip_prefix(key) {
                    let value = value.trim();
                    if let Some((literal, _)) = string_literal(value) {
                        let has_words = literal.chars().any(char::is_alphabetic);
                        if has_words && !UNTRANSLATED_ON_PURPOSE.contains(&literal.as_str()) {
                            offenders.push(format!("{}:{}: {line}", file.display(), n + 1));
                        }
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "visible text without @tr:\n{}",
        offenders.join("\n")
    );
}

/// Issue 14: one Korean term for legal aid (법률원조, as Korean-Chinese readers use it), 人社
/// as 인력자원사회보장국 and 行政复议 as 행정복의; and the 12348 hotline's advice is free while
/// the call is billed normally (免费咨询, never 免费电话).
#[test]
fn translations_say_what_they_mean() {
    let ko = po_entries("ko_KR");
    let zh = po_entries("zh_CN");
    let mut wrong = Vec::new();
    for (msgid, t) in &ko {
        for term in [
            "법률 구조",
            "법률구조",
            "법률 원조",
            "법률지원",
            "법률 지원",
            "인사 부서",
            "인사국",
            "행정 재심",
        ] {
            if t.contains(term) {
                wrong.push(format!("ko_KR {msgid:?}: {term}"));
            }
        }
        if msgid.to_lowercase().contains("legal aid") && !t.contains("법률원조") {
            wrong.push(format!("ko_KR {msgid:?} does not say 법률원조: {t}"));
        }
        if t.contains("무료 전화") {
            wrong.push(format!("ko_KR {msgid:?}: a free call"));
        }
    }
    for (msgid, t) in &zh {
        if t.contains("免费电话") {
            wrong.push(format!("zh_CN {msgid:?}: {t}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        zh.get("The advice is free; the call is charged as usual")
            .map(String::as_str),
        Some("免费咨询，电话费照常收取")
    );
}
