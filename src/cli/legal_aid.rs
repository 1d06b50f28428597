//! `legal-kiosk legal-aid`: evaluates a self-check case from a file, so that rule authors can
//! try a `legal-aid-rules` bundle before publishing it.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::domain::legal_aid::run_legal_aid_cli;

#[derive(Debug, Args)]
pub struct LegalAidArgs {
    /// The case: a TOML or JSON file of answers (see content/legal-aid-rules/examples/).
    #[arg(long, value_name = "FILE")]
    answers: PathBuf,
    /// Rules to evaluate under (TOML or JSON); default: the shipped Jilin rules.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn legal_aid(args: &LegalAidArgs) -> Result<()> {
    let report = run_legal_aid_cli(&args.answers, args.rules.as_deref(), args.json)?;
    println!("{}", report.trim_end());
    Ok(())
}
