//! `institutions`: the province's institutions for terminals (issue 19).

use crate::admin::{duration, keys};
use crate::institutions::{csv, publish, rows};
use crate::store::Store;
use anyhow::{Context as _, Result, anyhow, bail};
use clap::Subcommand;
use provisioning::scope::Scope;
use std::path::PathBuf;

/// `institutions` subcommands.
#[derive(Subcommand, Debug)]
pub enum InstitutionsCommand {
    /// Import institutions from a CSV file (header
    /// id,kind,name,name_ko,name_en,region,address,lat,lon,datum,phone,hours,hours_note,services,free_services,wheelchair):
    /// every bad line is reported, and nothing is imported unless every line is good.
    Import {
        /// The CSV file (UTF-8).
        file: PathBuf,
    },
    /// Sign the registry's institutions as the `institutions` bundle (coordinates in GCJ-02).
    Publish {
        /// Version; the stream's latest plus one when not given.
        #[arg(long)]
        version: Option<u64>,
        /// Private signing key file.
        #[arg(long)]
        key: PathBuf,
        /// The navigation link a slip's QR code opens, with {lat} {lng} (GCJ-02) and {name};
        /// Amap's marker link when not given.
        #[arg(long)]
        navigation_url: Option<String>,
        /// Public holidays and adjusted working days (JSON, see `institutions::publish`).
        #[arg(long)]
        calendar: Option<PathBuf>,
        /// Target: all, region:CODE, platform:ID or terminal:ID.
        #[arg(long, default_value = "all")]
        scope: String,
        /// How long terminals accept it.
        #[arg(long, default_value = "365d")]
        valid_for: String,
    },
}

/// Runs an `institutions` subcommand.
pub fn run(store: &Store, command: InstitutionsCommand) -> Result<()> {
    match command {
        InstitutionsCommand::Import { file } => {
            let text =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let parsed = match csv::parse(&text) {
                Ok(p) => p,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}:{}: {}", file.display(), e.line, e.problem);
                    }
                    bail!(
                        "{} bad line(s) in {}; nothing imported",
                        errors.len(),
                        file.display()
                    );
                }
            };
            let rows: Vec<_> = parsed
                .iter()
                .map(|p| rows::to_row(&p.institution))
                .collect();
            store.institutions_import(&rows)?;
            println!(
                "imported {} institution(s) from {}",
                rows.len(),
                file.display()
            );
            Ok(())
        }
        InstitutionsCommand::Publish {
            version,
            key,
            navigation_url,
            calendar,
            scope,
            valid_for,
        } => {
            let scope = Scope::parse(&scope).ok_or_else(|| {
                anyhow!("scope must be all, region:CODE, platform:ID or terminal:ID")
            })?;
            let valid_for = duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let calendar = match calendar {
                Some(path) => publish::CalendarFile::read(&path)?,
                None => publish::CalendarFile::default(),
            };
            let options = publish::Options {
                version,
                navigation_url,
                calendar,
                scope,
                valid_for,
            };
            let (manifest, file) = publish::publish(store, options, &keys::load(&key)?)?;
            println!(
                "published {} v{} for {} ({} institutions, {} holidays, {} bytes, expires {})",
                manifest.stream,
                manifest.version,
                manifest.scope.describe(),
                file.institutions.len(),
                file.holidays.len(),
                manifest.payload_size,
                manifest.expires_at
            );
            Ok(())
        }
    }
}
