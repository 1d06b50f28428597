//! The fuzz targets' committed inputs, shared by the crates whose unit tests replay them
//! (this one, the registry and the firmware): one folder, one way to walk it.

/// The workspace's `fuzz/` folder (corpora, regressions, the cargo-fuzz targets).
pub fn fuzz_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Runs `check` on every committed input of fuzz target `target` — its corpus
/// (`fuzz/corpus/<target>`) and past crashes (`fuzz/regressions/<target>`) — as the unit
/// tests of each crate with fuzz entry points do on every `cargo test`. Panics (a test
/// failure) when the target has no committed input at all.
pub fn replay_committed_inputs(target: &str, check: fn(&[u8])) {
    let fuzz_dir = fuzz_dir();
    let mut count = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable corpus folder").path();
            check(&std::fs::read(&path).expect("a readable corpus file"));
            count += 1;
        }
    }
    assert!(count > 0, "no committed inputs for fuzz target {target}");
}
