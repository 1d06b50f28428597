//! The developer's console for the simulated devices of a desktop kiosk: type a line to lay
//! a sample ID card on the simulated reader, take it away, run out of paper, open the
//! printer's cover… (`help` lists everything).

use std::io::BufRead;

use hardware::idcard::sim::{Simulator, Step, samples};
use hardware::printer::sim::{PaperLevel, SimChange, SimHandle};

pub const HELP: &str = "\
Simulated devices — type a command and press Enter:
  place <card>            lay a sample ID card on the reader (`cards` lists them)
  remove                  take the card away
  fault sam|silent|read   make the reader fail; `clear` mends it
  unplug | replug         unplug / plug back the reader
  printer paper ok|low|out
  printer cover open|closed
  printer offline|online
  printer unplug|replug
  help";

/// Reads commands from standard input until it closes.
pub fn run(reader: Option<Simulator>, printer: Option<SimHandle>) {
    println!("{HELP}");
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match execute(line, reader.as_ref(), printer.as_ref()) {
            Ok(done) => println!("ok: {done}"),
            Err(e) => println!("{e}\n(type `help`)"),
        }
    }
}

fn execute(
    line: &str,
    reader: Option<&Simulator>,
    printer: Option<&SimHandle>,
) -> Result<String, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["help"] => Ok(HELP.to_string()),
        ["cards"] => Ok(samples::sample_ids().collect::<Vec<_>>().join(", ")),
        ["printer", rest @ ..] => {
            let printer = printer.ok_or("no simulated printer in this configuration")?;
            let change = match rest {
                ["paper", "ok"] => SimChange::Paper(PaperLevel::Ok),
                ["paper", "low"] => SimChange::Paper(PaperLevel::NearEnd),
                ["paper", "out"] => SimChange::Paper(PaperLevel::Out),
                ["cover", "open"] => SimChange::CoverOpen(true),
                ["cover", "closed"] => SimChange::CoverOpen(false),
                ["offline"] => SimChange::Offline(true),
                ["online"] => SimChange::Offline(false),
                ["unplug"] => {
                    printer.unplug();
                    return Ok("printer unplugged".into());
                }
                ["replug"] => {
                    printer
                        .replug()
                        .map_err(|e| format!("cannot replug the printer: {e}"))?;
                    return Ok("printer plugged back in".into());
                }
                _ => return Err(format!("unknown printer command: {line}")),
            };
            printer.apply(change);
            Ok(line.to_string())
        }
        _ => {
            let reader = reader.ok_or("no simulated card reader in this configuration")?;
            let step: Step = line.parse().map_err(|e: String| e)?;
            reader.apply(&step).map_err(|e| e.to_string())?;
            Ok(line.to_string())
        }
    }
}
