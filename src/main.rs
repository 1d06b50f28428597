use std::process::ExitCode;

fn main() -> ExitCode {
    legal_kiosk::cli::main()
}
