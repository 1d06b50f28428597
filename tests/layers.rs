//! The firmware's layering (ARCHITECTURE.md), checked on the source: nothing below the UI
//! names Slint, the view crate or the UI; no layer uses one above it; no file grows past
//! 500 lines. Reads `src/` as text: `crate::…` paths in code (comments are skipped).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, lowest first, and the top-level modules of `src/` in each.
const LAYERS: &[(&str, &[&str])] = &[
    ("foundations", &["clock", "i18n", "ids", "session"]),
    ("store", &["store"]),
    ("domain", &["domain"]),
    ("configuration", &["config"]),
    ("devices", &["devices"]),
    ("events", &["events"]),
    ("services", &["services"]),
    (
        "adapters",
        &["sync", "system", "queue_api", "video", "net", "updates"],
    ),
    ("ui", &["ui"]),
    ("assembly", &["app", "cli", "lib", "main", "fuzz"]),
];

const MAX_LINES: usize = 500;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/ui/home.rs` → `ui`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
        .unwrap_or_else(|| {
            panic!("src/{module} is in no layer: add it to ARCHITECTURE.md and LAYERS")
        })
}

/// The file's code without comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // Not inside a string literal such as "https://…".
            Some(i) if l[..i].matches('"').count() % 2 == 0 => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a file reaches through `crate::…` (also inside grouped `use`s).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn no_layer_uses_one_above_it_and_nothing_below_the_ui_names_slint() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let ui = layer_of("ui");
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(file);
        let layer = layer_of(&module);
        let code = code(&std::fs::read_to_string(file).unwrap());
        let name = file.strip_prefix(src()).unwrap().display().to_string();
        if layer < ui {
            for word in ["slint::", "kiosk_ui", "slint_"] {
                if code.contains(word) {
                    wrong.push(format!(
                        "src/{name} (layer {}) names `{word}`",
                        LAYERS[layer].0
                    ));
                }
            }
        }
        for used in crate_paths(&code) {
            if used == module || LAYERS.iter().all(|(_, m)| !m.contains(&used.as_str())) {
                continue;
            }
            let target = layer_of(&used);
            if target > layer {
                wrong.push(format!(
                    "src/{name} ({}) uses crate::{used} ({}), a layer above it",
                    LAYERS[layer].0, LAYERS[target].0
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn controllers_do_not_import_each_other() {
    let ui = src().join("ui");
    let mut files = Vec::new();
    rust_files(&ui, &mut files);
    // Each area of the screen: a controller file or folder under src/ui.
    let areas = [
        "home",
        "queue",
        "consult",
        "legal_aid",
        "rating",
        "video",
        "system",
        "maintenance",
    ];
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&ui).unwrap();
        let own = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if !areas.contains(&own.as_str()) {
            continue;
        }
        let code = code(&std::fs::read_to_string(file).unwrap());
        for other in areas.iter().filter(|a| **a != own) {
            for path in [format!("super::{other}"), format!("crate::ui::{other}")] {
                if code.contains(&format!("{path}::")) || code.contains(&format!("{path};")) {
                    wrong.push(format!("src/ui/{} uses {path}", rel.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "controllers importing each other:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_in_src_is_longer_than_500_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > MAX_LINES).then(|| {
                format!(
                    "{} ({lines} lines)",
                    f.strip_prefix(src()).unwrap().display()
                )
            })
        })
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
