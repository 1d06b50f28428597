//! `release` and `rollout`: software updates from the operations centre.

use crate::admin::keys;
use crate::admin::releases::{self, ReleaseNotes, RolloutSpec};
use crate::rollout::RolloutState;
use crate::store::{Store, wait};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

/// `release` subcommands.
#[derive(Subcommand, Debug)]
pub enum ReleaseCommand {
    /// Sign a kiosk package's manifest (name, version, architecture from its control file;
    /// size, SHA-256) and store both in the registry.
    Publish {
        /// The `.deb`.
        #[arg(long)]
        deb: PathBuf,
        /// Private signing key file (its public half pinned on the terminals).
        #[arg(long)]
        key: PathBuf,
        /// Release notes for staff, in Chinese.
        #[arg(long, default_value = "")]
        notes_zh: String,
        /// Oldest running version this package may upgrade (older terminals refuse it).
        #[arg(long)]
        min_from: Option<String>,
    },
    /// List published releases.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `rollout` subcommands.
#[derive(Subcommand, Debug)]
pub enum RolloutCommand {
    /// Start a staged rollout of a published release.
    Create {
        /// The release's version.
        #[arg(long)]
        release: String,
        /// A stage, in order (repeatable): `terminal:kt-…`, `platform:ID`,
        /// `region:CODE [N%]`, `all`.
        #[arg(long = "stage", required = true)]
        stages: Vec<String>,
        /// % of a stage healthy that starts the next one.
        #[arg(long, default_value_t = 95)]
        success_threshold: u8,
        /// % of a stage failed or rolled back that pauses the rollout.
        #[arg(long, default_value_t = 5)]
        error_threshold: u8,
        /// Download rate hint to terminals, KiB per second (0: none).
        #[arg(long, default_value_t = 0)]
        max_kib_per_s: u64,
    },
    /// Stop offering the release until resumed.
    Pause {
        /// Rollout id.
        id: String,
    },
    /// Resume a paused rollout.
    Resume {
        /// Rollout id.
        id: String,
    },
    /// Stop the rollout for good (installed terminals keep the release).
    Cancel {
        /// Rollout id.
        id: String,
    },
    /// Per-stage counts: offered, downloading, installed, healthy, failed, rolled back.
    Status {
        /// Rollout id (default: the newest).
        id: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `release` subcommand.
pub fn release(store: &Store, command: ReleaseCommand) -> Result<()> {
    match command {
        ReleaseCommand::Publish {
            deb,
            key,
            notes_zh,
            min_from,
        } => {
            let key = keys::load(&key)?;
            let notes = ReleaseNotes {
                min_from_version: min_from,
                notes_zh,
            };
            let (m, _) = releases::publish(store, &deb, &notes, &key)?;
            println!(
                "published {} {} ({}, {} bytes, sha256 {})",
                m.package, m.version, m.architecture, m.size, m.sha256
            );
        }
        ReleaseCommand::List { json } => {
            let rows = wait(|| store.releases())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            for r in rows {
                println!(
                    "{:<16} {:<12} {:<8} {:>10} B  {}",
                    r.version, r.package, r.architecture, r.size, r.published_at
                );
            }
        }
    }
    Ok(())
}

/// Runs a `rollout` subcommand.
pub fn rollout(store: &Store, command: RolloutCommand) -> Result<()> {
    let set = |id: &str, to: RolloutState, reason: Option<&str>| -> Result<()> {
        let reason = reason.map(str::to_string);
        let r = wait(|| store.rollout_set_state(id, to, reason))?;
        println!("rollout {} is {}", r.id, r.state.as_str());
        Ok(())
    };
    match command {
        RolloutCommand::Create {
            release,
            stages,
            success_threshold,
            error_threshold,
            max_kib_per_s,
        } => {
            let spec = RolloutSpec {
                release,
                stages,
                success_threshold,
                error_threshold,
                max_bytes_per_s: max_kib_per_s.saturating_mul(1024),
            };
            let r = releases::create(store, &spec)?;
            println!("{}", r.id);
            eprintln!(
                "rollout of {} in {} stages started with stage 1",
                r.release,
                r.stages.len()
            );
            Ok(())
        }
        RolloutCommand::Pause { id } => set(&id, RolloutState::Paused, Some("paused by staff")),
        RolloutCommand::Resume { id } => set(&id, RolloutState::Running, None),
        RolloutCommand::Cancel { id } => {
            set(&id, RolloutState::Cancelled, Some("cancelled by staff"))
        }
        RolloutCommand::Status { id, json } => {
            let (r, stages) = wait(|| store.rollout_status(id.as_deref()))?;
            if json {
                let value = serde_json::json!({ "rollout": r, "stages": stages });
                println!("{}", serde_json::to_string_pretty(&value)?);
                return Ok(());
            }
            println!(
                "rollout {} of {}: {} (stage {} of {}){}",
                r.id,
                r.release,
                r.state.as_str(),
                r.current_stage + 1,
                r.stages.len(),
                r.reason.map(|w| format!(" — {w}")).unwrap_or_default()
            );
            println!(
                "  stage                      terminals offered downloading installed healthy failed rolled_back"
            );
            for s in stages {
                println!(
                    "  {:<26} {:>9} {:>7} {:>11} {:>9} {:>7} {:>6} {:>11}{}",
                    s.stage,
                    s.terminals,
                    s.offered,
                    s.downloading,
                    s.installed,
                    s.healthy,
                    s.failed,
                    s.rolled_back,
                    if s.started { "" } else { "  (waiting)" }
                );
            }
            Ok(())
        }
    }
}
