use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use hardware::idcard::{CommandTimeouts, Reader};

use crate::session::card_view::CardView;

#[derive(Debug, Args)]
pub struct ReadCardArgs {
    /// The reader's serial device, e.g. /dev/ttyUSB0 or /dev/legal-kiosk/idcard.
    #[arg(long)]
    device: PathBuf,
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// How long to wait for a card, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Show name, number, birth date and address in full (installers only; never paste
    /// the output anywhere).
    #[arg(long)]
    unmasked: bool,
}

#[derive(Debug, Args)]
pub struct ReaderArgs {
    #[arg(long)]
    device: PathBuf,
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    #[arg(long)]
    json: bool,
}

fn open(device: &std::path::Path, baud: u32) -> Result<Reader> {
    Reader::open(device, baud, CommandTimeouts::default())
        .with_context(|| format!("cannot open the card reader on {}", device.display()))
}

pub fn read_card(args: &ReadCardArgs) -> Result<()> {
    let mut reader = open(&args.device, args.baud)?;
    reader
        .sam_status()
        .context("the card reader is not ready (SAM status)")?;
    eprintln!(
        "Place an ID card on the reader (waiting up to {} s)…",
        args.timeout
    );
    let read = reader
        .wait_for_card(
            false,
            Duration::from_secs(args.timeout),
            Duration::from_millis(300),
        )
        .context("reading the card failed")?;
    let Some(read) = read else {
        bail!("no card was placed on the reader within {} s", args.timeout);
    };
    let view = CardView::new(&read.card, !args.unmasked);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        print!("{}", view.to_text());
    }
    Ok(())
}

pub fn reader(args: &ReaderArgs) -> Result<()> {
    let mut reader = open(&args.device, args.baud)?;
    let status = reader.sam_status();
    let sam_id = reader.sam_id();
    let ready = status.is_ok();
    if args.json {
        let v = serde_json::json!({
            "device": args.device,
            "baud": args.baud,
            "ready": ready,
            "sam_id": sam_id.as_ref().ok().map(ToString::to_string),
            "error": status.as_ref().err().map(ToString::to_string),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("device   {} at {} baud", args.device.display(), args.baud);
        match &status {
            Ok(()) => println!("status   ready (SAM self-test passed)"),
            Err(e) => println!("status   NOT READY: {e}"),
        }
        match &sam_id {
            Ok(id) => println!("SAM id   {id}"),
            Err(e) => println!("SAM id   unavailable: {e}"),
        }
    }
    if let Err(e) = status {
        bail!("the card reader is not ready: {e}");
    }
    Ok(())
}
