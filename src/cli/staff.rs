//! `legal-kiosk staff …`: staff accounts for installers working over SSH. The same store and
//! the same audit as the maintenance menu (the actor is `console:<user>`). PINs are read
//! from the terminal without echo, or from standard input with `--pin-stdin` for scripts.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use zeroize::Zeroizing;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::maintenance::{Actor, Pin, Role, accounts, audit, lockout, pin_hash};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct StaffArgs {
    #[command(subcommand)]
    command: StaffCommand,
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Add an account (asks for its PIN).
    Add {
        /// The name shown in the menu and the audit trail, e.g. 王芳.
        name: String,
        /// staff: daily operations; installer: also enrolment and device settings.
        #[arg(long, value_enum)]
        role: Role,
        #[command(flatten)]
        pin: PinSource,
    },
    /// Remove an account (not the last installer).
    Remove { name: String },
    /// List the accounts.
    List {
        /// One JSON array instead of plain text.
        #[arg(long)]
        json: bool,
    },
    /// Give an account a new PIN.
    SetPin {
        name: String,
        #[command(flatten)]
        pin: PinSource,
    },
    /// Lift a lockout caused by wrong PINs.
    Unlock,
    /// Print the Argon2id hash of a PIN, for `[maintenance.initial_installer]` in the
    /// configuration file.
    HashPin {
        #[command(flatten)]
        pin: PinSource,
    },
}

#[derive(Debug, Args)]
struct PinSource {
    /// Read the PIN from the first line of standard input instead of asking.
    #[arg(long)]
    pin_stdin: bool,
}

pub fn staff(config: Option<&Path>, args: &StaffArgs) -> Result<()> {
    let config = Config::load(config)?;
    let actor = Actor::console();
    let now = || SystemClock.now();
    let open = || -> Result<Store> { Ok(Store::open(&Store::path_in(&config.data_dir()))?) };
    let mut out = std::io::stdout().lock();
    match &args.command {
        StaffCommand::Add { name, role, pin } => {
            let name = accounts::validate_name(name)?;
            let pin = read_new_pin(pin)?;
            let mut store = open()?;
            accounts::add(store.conn(), &name, *role, &pin, &actor, now())?;
            writeln!(out, "added {} account {name}", role.as_str())?;
        }
        StaffCommand::Remove { name } => {
            let mut store = open()?;
            accounts::remove(store.conn(), name, &actor, now())?;
            writeln!(out, "removed account {}", name.trim())?;
        }
        StaffCommand::List { json } => {
            let mut store = open()?;
            let list = accounts::list(store.conn())?;
            if *json {
                writeln!(out, "{}", serde_json::to_string(&list)?)?;
            } else if list.is_empty() {
                writeln!(
                    out,
                    "no accounts; add one with: legal-kiosk staff add NAME --role installer"
                )?;
            } else {
                for a in list {
                    writeln!(
                        out,
                        "{}\t{}\tlast login: {}",
                        a.name,
                        a.role.as_str(),
                        a.last_login_at.as_deref().unwrap_or("never")
                    )?;
                }
            }
        }
        StaffCommand::SetPin { name, pin } => {
            let mut store = open()?;
            if !accounts::list(store.conn())?
                .iter()
                .any(|a| a.name == name.trim())
            {
                bail!("no account is named {:?}", name.trim());
            }
            let pin = read_new_pin(pin)?;
            accounts::set_pin(store.conn(), name, &pin, &actor, now())?;
            writeln!(out, "PIN changed for {}", name.trim())?;
        }
        StaffCommand::Unlock => {
            let mut store = open()?;
            let tx = store.conn().transaction()?;
            lockout::clear(&tx)?;
            audit::record(
                &tx,
                &actor,
                audit::action::STAFF_UNLOCK,
                audit::Outcome::Ok,
                serde_json::json!({}),
                now(),
            )?;
            tx.commit()?;
            writeln!(out, "the maintenance menu is unlocked")?;
        }
        StaffCommand::HashPin { pin } => {
            let pin = read_new_pin(pin)?;
            writeln!(out, "{}", pin_hash::hash_pin(&pin)?)?;
        }
    }
    Ok(())
}

/// A new PIN: from standard input (one line), or asked twice on the terminal without echo.
fn read_new_pin(source: &PinSource) -> Result<Pin> {
    if source.pin_stdin {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the PIN from standard input")?;
        return Pin::new_for_account(&line).context("the PIN read from standard input");
    }
    if !std::io::stdin().is_terminal() {
        bail!("standard input is not a terminal: pass --pin-stdin to read the PIN from it");
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("New PIN (6-12 digits): ").context("cannot read the PIN")?,
    );
    let pin = Pin::new_for_account(&first)?;
    let again = Zeroizing::new(
        rpassword::prompt_password("Repeat the PIN: ").context("cannot read the PIN")?,
    );
    if first.trim() != again.trim() {
        bail!("the two PINs differ; nothing was changed");
    }
    Ok(pin)
}
