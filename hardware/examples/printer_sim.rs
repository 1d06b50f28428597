//! A simulated thermal printer for trying the kiosk or `diag` commands by hand.
//!
//! `cargo run -p hardware --example printer_sim -- LINK [58|80] [PNG_DIR]` creates a
//! pseudo-terminal behind the symlink LINK, prints every ticket it receives to the console
//! and, with PNG_DIR, writes each as a picture. Type `paper out`, `paper near`, `paper ok`,
//! `cover open`, `cover close`, `offline`, `online`, `silent`, `ok`, `unplug`, `replug` or
//! `quit` on stdin to change the printer.

use std::io::BufRead;
use std::path::PathBuf;

use hardware::printer::PaperWidth;
use hardware::printer::sim::{Fault, PaperLevel, SimChange, render_job_png, start_desktop};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let link = PathBuf::from(
        args.next()
            .ok_or("usage: printer_sim LINK [58|80] [PNG_DIR]")?,
    );
    let paper = match args.next().as_deref() {
        Some("58") => PaperWidth::Mm58,
        _ => PaperWidth::Mm80,
    };
    let png_dir = args.next().map(PathBuf::from);
    let (sim, jobs) = start_desktop(&link, paper)?;
    println!("printer simulator at {}", link.display());
    std::thread::spawn(move || {
        for (n, job) in jobs.iter().enumerate() {
            println!("{}", job.to_text());
            if let Some(dir) = &png_dir {
                let path = dir.join(format!("ticket-{n:04}.png"));
                match render_job_png(&job).map(|png| std::fs::write(&path, png)) {
                    Ok(Ok(())) => println!("(picture: {})", path.display()),
                    Ok(Err(e)) => eprintln!("cannot write {}: {e}", path.display()),
                    Err(e) => eprintln!("cannot render: {e}"),
                }
            }
        }
    });
    for line in std::io::stdin().lock().lines() {
        let change = match line?.trim() {
            "paper out" => SimChange::Paper(PaperLevel::Out),
            "paper near" => SimChange::Paper(PaperLevel::NearEnd),
            "paper ok" => SimChange::Paper(PaperLevel::Ok),
            "cover open" => SimChange::CoverOpen(true),
            "cover close" => SimChange::CoverOpen(false),
            "offline" => SimChange::Offline(true),
            "online" => SimChange::Offline(false),
            "silent" => SimChange::Fault(Fault::Silent),
            "ok" => SimChange::Fault(Fault::None),
            "unplug" => {
                sim.unplug();
                continue;
            }
            "replug" => {
                sim.replug()?;
                continue;
            }
            "quit" => break,
            other => {
                eprintln!("unknown command {other:?}");
                continue;
            }
        };
        sim.apply(change);
        println!("state: {:?}", sim.state());
    }
    Ok(())
}
