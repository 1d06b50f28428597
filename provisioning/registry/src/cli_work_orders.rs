//! `workorder`: work orders at the registry until the operations console dispatches them
//! (list, dispatch, accept, close, return, history), the centre's classification (load
//! from a file, publish as a bundle), and which institution an institution login belongs to.

use crate::store::work_orders::{Change, ChangeRefusal, OrderFilter, WorkOrder};
use crate::store::{Store, wait};
use crate::work_orders::{Action, CATEGORIES_FILE, CATEGORIES_STREAM, Classification};
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::path::PathBuf;

/// `workorder` subcommands.
#[derive(Subcommand, Debug)]
pub enum WorkOrderCommand {
    /// List work orders, newest first.
    List {
        /// Only this status (new, dispatched, accepted, done, returned).
        #[arg(long)]
        status: Option<String>,
        /// Only this region (330100 covers every 3301xx).
        #[arg(long)]
        region: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// One work order with its history.
    Show {
        /// Number.
        id: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Assign a work order to an institution (of the directory) or a person (a login).
    Dispatch {
        /// Number.
        id: i64,
        /// Institution id.
        #[arg(long, conflicts_with = "person", required_unless_present = "person")]
        institution: Option<String>,
        /// A person's login.
        #[arg(long)]
        person: Option<String>,
        /// Time to finish it (e.g. 3d, 36h), from now.
        #[arg(long, default_value = "5d")]
        deadline: String,
    },
    /// Take a dispatched work order on.
    Accept {
        /// Number.
        id: i64,
    },
    /// Finish an accepted work order with its outcome.
    Close {
        /// Number.
        id: i64,
        /// What was done.
        #[arg(long)]
        outcome: String,
    },
    /// Send a work order back to the centre (not the assignee's to handle).
    Return {
        /// Number.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// The centre's classification.
    #[command(subcommand)]
    Categories(CategoriesCommand),
    /// Link an institution's login (role institution) to its institution.
    Link {
        /// The login.
        #[arg(long)]
        operator: String,
        /// The institution's id in the directory.
        #[arg(long)]
        institution: String,
    },
}

/// `workorder categories` subcommands.
#[derive(Subcommand, Debug)]
pub enum CategoriesCommand {
    /// Replace the classification with a file's (JSON: classes of items; see
    /// samples/work-order-categories.sample.json).
    Load {
        /// The file.
        file: PathBuf,
    },
    /// List the classification.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Sign a classification file as the `work-order-categories` bundle for every terminal.
    Publish {
        /// The file (as loaded).
        file: PathBuf,
        /// Private signing key file.
        #[arg(long)]
        key: PathBuf,
        /// How long terminals accept it.
        #[arg(long, default_value = "365d")]
        valid_for: String,
    },
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn line(o: &WorkOrder) -> String {
    format!(
        "#{:<5} {:<10} {:<6} {:<10} {:<8} {:<16} {}:{}  due {}",
        o.id,
        o.status,
        o.category,
        o.kind,
        o.region,
        o.platform_id,
        o.assignee_kind,
        o.assignee,
        if o.deadline.is_empty() {
            "-"
        } else {
            &o.deadline
        }
    )
}

fn change(store: &Store, c: Change) -> Result<WorkOrder> {
    match wait(|| store.work_order_change(&c))? {
        Ok(order) => Ok(order),
        Err(ChangeRefusal::NotFound) => bail!("no work order #{}", c.id),
        Err(ChangeRefusal::WrongStatus(status)) => bail!(
            "work order #{} is {status}; it cannot be {} from there",
            c.id,
            c.action.as_str()
        ),
        Err(ChangeRefusal::NotAssigned) => {
            bail!("work order #{} is assigned to someone else", c.id)
        }
    }
}

/// The history's actor for the command line.
fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "?".into())
    )
}

/// Runs a `workorder` subcommand.
pub fn run(store: &Store, command: WorkOrderCommand) -> Result<()> {
    let simple = |id, action, detail: String| Change {
        id,
        action,
        actor: actor(),
        assignee: None,
        deadline: None,
        detail,
        only_if_assigned_to: None,
    };
    match command {
        WorkOrderCommand::List {
            status,
            region,
            json,
        } => {
            let filter = OrderFilter {
                status,
                assigned: None,
            };
            let mut orders = wait(|| store.work_orders(&filter))?;
            if let Some(region) = region {
                orders.retain(|o| provisioning::scope::region_contains(&region, &o.region));
            }
            if json {
                return print_json(&orders);
            }
            for o in &orders {
                println!("{}", line(o));
            }
        }
        WorkOrderCommand::Show { id, json } => {
            let (order, history) =
                wait(|| store.work_order(id))?.ok_or_else(|| anyhow!("no work order #{id}"))?;
            if json {
                return print_json(&serde_json::json!({ "order": order, "history": history }));
            }
            println!("{}", line(&order));
            for h in history {
                println!(
                    "  {} {:<10} {} → {}  by {}  {}",
                    h.at, h.action, h.from_status, h.to_status, h.actor, h.detail
                );
            }
        }
        WorkOrderCommand::Dispatch {
            id,
            institution,
            person,
            deadline,
        } => {
            let (kind, who) = match (institution, person) {
                (Some(i), _) => ("institution", i),
                (None, Some(p)) => ("person", p),
                (None, None) => bail!("--institution or --person"),
            };
            if !wait(|| store.assignee_exists(kind, &who))? {
                bail!("no {kind} {who}");
            }
            let within = crate::admin::duration::parse(&deadline).map_err(|e| anyhow!(e))?;
            let deadline = crate::store::time_text(chrono::Utc::now() + within);
            let order = change(
                store,
                Change {
                    assignee: Some((kind.into(), who)),
                    deadline: Some(deadline),
                    ..simple(id, Action::Dispatch, String::new())
                },
            )?;
            println!("{}", line(&order));
        }
        WorkOrderCommand::Accept { id } => {
            println!(
                "{}",
                line(&change(store, simple(id, Action::Accept, String::new()))?)
            );
        }
        WorkOrderCommand::Close { id, outcome } => {
            if outcome.trim().is_empty() {
                bail!("--outcome must say what was done");
            }
            println!(
                "{}",
                line(&change(store, simple(id, Action::Close, outcome))?)
            );
        }
        WorkOrderCommand::Return { id, reason } => {
            if reason.trim().is_empty() {
                bail!("--reason must say why");
            }
            println!(
                "{}",
                line(&change(store, simple(id, Action::Return, reason))?)
            );
        }
        WorkOrderCommand::Categories(CategoriesCommand::Load { file }) => {
            let list = Classification::parse(&std::fs::read(&file)?)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let n = wait(|| store.categories_load(&list))?;
            println!(
                "{n} items in {} classes loaded{}",
                list.classes.len(),
                if list.sample { " (a SAMPLE list)" } else { "" }
            );
        }
        WorkOrderCommand::Categories(CategoriesCommand::List { json }) => {
            let items = wait(|| store.categories())?;
            if json {
                return print_json(&items);
            }
            for [code, name, class_code, class_name] in items {
                println!("{code:<8} {name:<20} {class_code} {class_name}");
            }
        }
        WorkOrderCommand::Categories(CategoriesCommand::Publish {
            file,
            key,
            valid_for,
        }) => {
            let bytes = std::fs::read(&file)?;
            Classification::parse(&bytes).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let key = crate::admin::keys::load(&key)?;
            let valid_for = crate::admin::duration::parse(&valid_for).map_err(|e| anyhow!(e))?;
            let mut payload = provisioning::bundle::Payload::default();
            payload.insert(CATEGORIES_FILE, bytes)?;
            let version = wait(|| store.next_bundle_version(CATEGORIES_STREAM))?;
            crate::admin::bundles::publish(
                store,
                CATEGORIES_STREAM,
                version,
                provisioning::scope::Scope::All,
                valid_for,
                &payload,
                &key,
            )?;
            println!("published {CATEGORIES_STREAM} v{version} for every terminal");
        }
        WorkOrderCommand::Link {
            operator,
            institution,
        } => {
            wait(|| store.operator_institution_set(&operator, &institution))?;
            println!("{operator} acts for institution {institution}");
        }
    }
    Ok(())
}
