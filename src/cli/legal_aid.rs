//! `legal-kiosk legal-aid`: evaluates a self-check case from a file, so that rule authors can
//! try a `legal-aid-rules` bundle before publishing it, and staff can see which rules (and
//! which hardship threshold) this terminal answers with.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use crate::config::Config;
use crate::domain::content::{RulesSource, rules_in_force};
use crate::domain::legal_aid::Rules;
use crate::domain::legal_aid::cli::{evaluate, load_rules_file};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct LegalAidArgs {
    /// The case: a TOML or JSON file of answers (see content/legal-aid-rules/examples/).
    #[arg(long, value_name = "FILE")]
    answers: PathBuf,
    /// Rules to evaluate under (TOML or JSON); default: the rules in force on this terminal
    /// (its latest accepted legal-aid-rules bundle, else the built-in rules).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn legal_aid(config_path: Option<&Path>, args: &LegalAidArgs) -> Result<()> {
    let rules = match &args.rules {
        Some(path) => load_rules_file(path)?,
        None => terminal_rules(config_path)?,
    };
    let report = evaluate(&args.answers, rules, args.json)?;
    println!("{}", report.trim_end());
    Ok(())
}

/// The rules this terminal's self-check answers with.
fn terminal_rules(config_path: Option<&Path>) -> Result<(Rules, RulesSource)> {
    let config = Config::load(config_path)?;
    let path = Store::path_in(&config.data_dir());
    if !path.exists() {
        // A terminal that never ran has nothing but the built-in rules.
        return Ok((
            Rules::jilin_default().context("the shipped default rules")?,
            RulesSource::BuiltIn,
        ));
    }
    let mut store = Store::open(&path)
        .with_context(|| format!("opening the terminal's store {}", path.display()))?;
    Ok(rules_in_force(store.conn())?)
}
