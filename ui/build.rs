//! Compiles the `.slint` view (pages, widgets, globals, fonts, bundled translations) into
//! Rust types once; the firmware's controllers use them from this crate, so a change to
//! Rust code elsewhere never recompiles the generated view.
fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    if let Err(e) = slint_build::compile_with_config("main.slint", config) {
        eprintln!("the Slint UI does not compile: {e}");
        std::process::exit(1);
    }
}
