use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use hardware::printer::{
    Document, EncodeOptions, PaperWidth, Printer, PrinterConfig, TransportKind, preview_png,
};

use crate::devices::printing::{PaperTicket, ticket_document};
use crate::domain::queue::Catalogue;

#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// Device: /dev/ttyUSB0, /dev/usb/lp0, or host[:port] for --transport tcp.
    #[arg(long)]
    device: Option<String>,
    #[arg(long, value_enum, default_value = "serial")]
    transport: Transport,
    /// Serial speed (serial transport only).
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Transport {
    Serial,
    Usb,
    Tcp,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Paper {
    #[value(name = "80mm")]
    Mm80,
    #[value(name = "58mm")]
    Mm58,
}

#[derive(Debug, Args)]
pub struct PrintTicketArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// The service on the sample ticket (an id from the catalogue).
    #[arg(long, default_value = "legal-consultation")]
    service: String,
    #[arg(long, value_enum, default_value = "80mm")]
    paper: Paper,
    /// Render the ticket to this PNG instead of printing it (no printer needed).
    #[arg(long, value_name = "FILE.png")]
    preview: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PrinterArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn printer_config(args: &DeviceArgs, paper: PaperWidth) -> Result<PrinterConfig> {
    let Some(device) = &args.device else {
        bail!("--device is required, e.g. --device /dev/ttyUSB0");
    };
    Ok(PrinterConfig {
        transport: match args.transport {
            Transport::Serial => TransportKind::Serial,
            Transport::Usb => TransportKind::Usb,
            Transport::Tcp => TransportKind::Tcp,
        },
        device: device.clone(),
        baud: args.baud,
        paper,
        ..PrinterConfig::default()
    })
}

/// A ticket that cannot be mistaken for a real one, laid out as the kiosk lays out its own.
fn sample_ticket(service_id: &str) -> Result<Document> {
    let catalogue = Catalogue::built_in();
    let Some(service) = catalogue.get(service_id) else {
        let known: Vec<&str> = catalogue.services().iter().map(|s| s.id.as_str()).collect();
        bail!(
            "unknown service {service_id:?}; known services: {}",
            known.join(", ")
        );
    };
    let ticket = PaperTicket {
        number: format!("{}000", service.prefix),
        service_id: service.id.clone(),
        people_ahead: 0,
        estimate: None,
        issued_at: chrono::Local::now().naive_local(),
        url: "http://127.0.0.1:8080/t/sample".into(),
        offline: false,
        reprint: false,
        notice: Some("测试样票，不作排队凭证".into()),
    };
    Ok(ticket_document(&ticket, &catalogue, "公共法律服务中心"))
}

pub fn print_ticket(args: &PrintTicketArgs) -> Result<()> {
    let paper = match args.paper {
        Paper::Mm80 => PaperWidth::Mm80,
        Paper::Mm58 => PaperWidth::Mm58,
    };
    let ticket = sample_ticket(&args.service)?;
    if let Some(out) = &args.preview {
        let options = EncodeOptions {
            paper,
            gbk_only: false,
        };
        let png = preview_png(&ticket, &options).context("cannot render the ticket")?;
        std::fs::write(out, png).with_context(|| format!("cannot write {}", out.display()))?;
        println!("wrote {}", out.display());
        return Ok(());
    }
    let config = printer_config(&args.device, paper)?;
    let mut printer = Printer::open(&config)
        .with_context(|| format!("cannot open the printer on {}", config.device))?;
    let report = printer
        .print(&ticket)
        .map_err(|e| anyhow::anyhow!("the ticket was not printed: {e}"))?;
    println!(
        "printed a sample ticket ({} bytes){}",
        report.bytes,
        if report.paper_near_end {
            "; paper is running low"
        } else {
            ""
        }
    );
    Ok(())
}

pub fn status(args: &PrinterArgs) -> Result<()> {
    let config = printer_config(&args.device, PaperWidth::Mm80)?;
    let mut printer = Printer::open(&config)
        .with_context(|| format!("cannot open the printer on {}", config.device))?;
    let status = printer
        .status()
        .map_err(|e| anyhow::anyhow!("no status from the printer: {e}"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        println!("{status}");
    }
    if status.refusal().is_some() {
        bail!("the printer cannot print now");
    }
    Ok(())
}
