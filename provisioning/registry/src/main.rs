//! `kiosk-registry`: the reference registry server and its admin commands.

fn main() -> std::process::ExitCode {
    kiosk_registry::cli::main()
}
