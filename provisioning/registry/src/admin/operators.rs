//! `kiosk-registry operator …`: the operations centre console's accounts.

use crate::store::operators::{Operator, Role};
use crate::store::{Store, StoreError};
use anyhow::{Context as _, Result};
use clap::Subcommand;

/// `operator` subcommands.
#[derive(Subcommand, Debug)]
pub enum OperatorCommand {
    /// Create an operator's login (or replace its role, regions and password). The password
    /// is read from standard input (one line, at least 10 characters) and stored as an
    /// Argon2id hash.
    Add {
        /// Login name (letters, digits, '-', '_', '.').
        username: String,
        /// admin (everything, the audit too), operator (fleet and commands), viewer (reads),
        /// institution (reads its own regions).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Region in scope (repeatable): 220104 a district, 220100 its city, 220000 the
        /// province.
        #[arg(long = "region", required = true, num_args = 1..)]
        regions: Vec<String>,
    },
    /// List operators' logins.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Disable a login and end its sessions.
    Disable {
        /// Login name.
        username: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

/// Creates or updates an account; regions must be six-digit division codes.
pub fn add(
    store: &Store,
    username: &str,
    role: Role,
    regions: &[String],
    password: &str,
) -> Result<(), StoreError> {
    if let Some(bad) = regions
        .iter()
        .find(|r| r.len() != 6 || !r.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(StoreError::Invalid(format!(
            "region {bad:?} is not a six-digit division code (e.g. 220104)"
        )));
    }
    let hash = super::lawyers::checked_hash(username, regions, password)?;
    let operator = Operator {
        username: username.to_string(),
        role,
        regions: regions.to_vec(),
        status: "active".into(),
    };
    store.operator_upsert(&operator, &hash)
}

/// Runs an `operator` subcommand.
pub fn run(store: &Store, command: OperatorCommand) -> Result<()> {
    match command {
        OperatorCommand::Add {
            username,
            role,
            regions,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            add(store, &username, role, &regions, password)?;
            println!(
                "operator {username} saved ({}, regions {})",
                role.as_str(),
                regions.join(", ")
            );
        }
        OperatorCommand::List { json } => {
            let rows = store.operators()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            for o in rows {
                println!(
                    "{:<20} {:<12} {:<10} {}",
                    o.username,
                    o.role.as_str(),
                    o.status,
                    o.regions.join(",")
                );
            }
        }
        OperatorCommand::Disable { username } => {
            store.operator_disable(&username)?;
            println!("operator {username} disabled; its sessions ended");
        }
    }
    Ok(())
}
