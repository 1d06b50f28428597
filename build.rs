fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_bundled_translations("ui/lang");
    slint_build::compile_with_config("ui/main.slint", config).expect("Slint UI failed to compile");
}
