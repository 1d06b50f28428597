//! A simulated ID-card reader for the desktop kiosk.
//!
//! ```text
//! cargo run -p hardware --example idcard-sim -- LINK [SCENARIO]
//! ```
//!
//! Creates the reader behind the symbolic link LINK (point the kiosk's `device` there),
//! plays SCENARIO if given, then reads more steps from standard input, one per line, in
//! the scenario format (`place resident-zhang`, `remove`, `fault sam`, `clear`, `unplug`,
//! `replug`, `wait 2s`, `chunk 1 2ms`; `list` shows the sample cards). End with Ctrl-D.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use hardware::idcard::sim::{Scenario, Simulator, Step, samples};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(link) = args.next().map(PathBuf::from) else {
        eprintln!("usage: idcard-sim LINK [SCENARIO]");
        return ExitCode::from(2);
    };
    let scenario = match args.next().map(PathBuf::from) {
        None => None,
        Some(path) => match Scenario::load(&path) {
            Ok(scenario) => Some(scenario),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
    };
    let sim = match Simulator::start_linked(&link) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("cannot create the reader at {}: {e}", link.display());
            return ExitCode::FAILURE;
        }
    };
    println!("simulated ID-card reader at {}", sim.path().display());
    if let Some(scenario) = scenario {
        for step in &scenario.steps {
            println!("> {step:?}");
            if let Err(e) = sim.apply(step) {
                eprintln!("{e}");
            }
        }
        println!("scenario done");
    }
    println!("type steps (e.g. 'place resident-zhang', 'remove', 'list'); Ctrl-D quits");
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line == "list" {
            for sample in samples::SAMPLES {
                println!("  {:<26} {}", sample.id, sample.description);
            }
            continue;
        }
        match line.parse::<Step>() {
            Ok(step) => match sim.apply(&step) {
                Ok(()) => println!("ok"),
                Err(e) => eprintln!("{e}"),
            },
            Err(e) => eprintln!("{e}"),
        }
    }
    ExitCode::SUCCESS
}
