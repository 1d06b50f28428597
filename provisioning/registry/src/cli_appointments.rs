//! `schedule`: when each platform's services take appointments (issue 20); `channel`: the
//! booking channels' keys; `appointments`: bookings and the signed bundle terminals check
//! citizens in with.

use crate::appointments::{self, Schedule};
use crate::store::{Store, wait};
use anyhow::Result;
use clap::Subcommand;

/// `schedule` subcommands.
#[derive(Subcommand, Debug)]
pub enum ScheduleCommand {
    /// Set (or replace) when a service of a platform takes appointments.
    Set {
        /// Platform id.
        #[arg(long)]
        platform: String,
        /// Service id (the catalogue's, e.g. legal-consultation).
        #[arg(long)]
        service: String,
        /// Bookings per half hour.
        #[arg(long)]
        capacity: u32,
        /// Opening days: mon-fri, 1-6, mon,wed,fri (1 = Monday).
        #[arg(long, default_value = "mon-fri")]
        days: String,
        /// First slot starts (HH:MM on the half hour, China Standard Time).
        #[arg(long, default_value = "09:00")]
        opens: String,
        /// Last slot ends.
        #[arg(long, default_value = "17:00")]
        closes: String,
    },
    /// Stop taking appointments for a service (bookings made stay).
    Remove {
        /// Platform id.
        #[arg(long)]
        platform: String,
        /// Service id.
        #[arg(long)]
        service: String,
    },
    /// Schedules and the holidays to come.
    Show {
        /// Only this platform.
        #[arg(long)]
        platform: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// A closed day: for one platform, or every platform without --platform.
    HolidayAdd {
        /// YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// E.g. 国庆节.
        #[arg(long, default_value = "")]
        name: String,
        /// Only this platform.
        #[arg(long)]
        platform: Option<String>,
    },
    /// Open a holiday again.
    HolidayRemove {
        /// YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// The platform it was set for (none: every platform's).
        #[arg(long)]
        platform: Option<String>,
    },
    /// A day's slots of a service and their free places.
    Slots {
        /// Platform id.
        #[arg(long)]
        platform: String,
        /// Service id.
        #[arg(long)]
        service: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Runs a `schedule` subcommand.
pub fn schedule(store: &Store, command: ScheduleCommand) -> Result<()> {
    match command {
        ScheduleCommand::Set {
            platform,
            service,
            capacity,
            days,
            opens,
            closes,
        } => {
            let s = Schedule {
                platform_id: platform,
                service_id: service,
                capacity,
                days: appointments::parse_days(&days)?,
                opens,
                closes,
            };
            s.validate()?;
            wait(|| store.schedule_set(&s))?;
            println!(
                "{} at {}: {} per half hour, days {}, {}–{}",
                s.service_id,
                s.platform_id,
                s.capacity,
                appointments::days_text(&s.days),
                s.opens,
                s.closes
            );
        }
        ScheduleCommand::Remove { platform, service } => {
            wait(|| store.schedule_remove(&platform, &service))?;
            println!("{service} at {platform} no longer takes appointments");
        }
        ScheduleCommand::Show { platform, json } => {
            let today = appointments::local_now(chrono::Utc::now())
                .format("%Y-%m-%d")
                .to_string();
            let schedules = wait(|| store.schedules(platform.as_deref()))?;
            let holidays = wait(|| store.holidays(platform.as_deref(), &today))?;
            if json {
                return print_json(
                    &serde_json::json!({ "schedules": schedules, "holidays": holidays }),
                );
            }
            for s in &schedules {
                println!(
                    "{:<16} {:<24} {:>3}/half hour  days {:<13} {}–{}",
                    s.platform_id,
                    s.service_id,
                    s.capacity,
                    appointments::days_text(&s.days),
                    s.opens,
                    s.closes
                );
            }
            for h in &holidays {
                println!("holiday {} {:<16} {}", h.day, h.platform_id, h.name);
            }
        }
        ScheduleCommand::HolidayAdd {
            day,
            name,
            platform,
        } => {
            let date = appointments::parse_date(&day)?;
            wait(|| store.holiday_add(platform.as_deref(), date, &name))?;
            println!(
                "{day} closed for {}",
                platform.as_deref().unwrap_or("every platform")
            );
        }
        ScheduleCommand::HolidayRemove { day, platform } => {
            let date = appointments::parse_date(&day)?;
            wait(|| store.holiday_remove(platform.as_deref(), date))?;
            println!("{day} open again");
        }
        ScheduleCommand::Slots {
            platform,
            service,
            day,
            json,
        } => {
            let date = appointments::parse_date(&day)?;
            let schedule = wait(|| store.schedule(&platform, &service))?.ok_or_else(|| {
                anyhow::anyhow!("{service} at {platform} takes no appointments (schedule set)")
            })?;
            let slots = wait(|| store.day_slots(&schedule, date))?;
            if json {
                return print_json(&slots);
            }
            if let Some(why) = &slots.closed {
                println!("{day}: closed ({why})");
            }
            for s in &slots.slots {
                println!("{}  {:>3} free of {}", s.start, s.free, s.capacity);
            }
        }
    }
    Ok(())
}

/// `channel` subcommands.
#[derive(Subcommand, Debug)]
pub enum ChannelCommand {
    /// Add a booking channel and print its key, once (only its SHA-256 is kept).
    Add {
        /// Name: 1 to 32 of a-z 0-9 - _ (e.g. online, hotline-12348, wechat).
        name: String,
    },
    /// Give a channel a new key (printed once); the old one stops working at once.
    Rotate {
        /// Name.
        name: String,
    },
    /// Refuse a channel's key from now on.
    Revoke {
        /// Name.
        name: String,
    },
    /// List the channels.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `appointments` subcommands.
#[derive(Subcommand, Debug)]
pub enum AppointmentsCommand {
    /// Sign today's and tomorrow's bookings of each platform, with its region's hash key,
    /// as the `appointments` bundle for that platform's terminals (run it every few
    /// minutes, e.g. from a systemd timer: terminals check in with what they last got).
    Publish {
        /// Private signing key file (its public half pinned on the terminals).
        #[arg(long)]
        key: std::path::PathBuf,
        /// Only this platform (default: every platform with a schedule).
        #[arg(long)]
        platform: Option<String>,
    },
    /// A platform's bookings on a day (masked names, no hashes, no phones).
    List {
        /// Platform id.
        #[arg(long)]
        platform: String,
        /// YYYY-MM-DD (default: today).
        #[arg(long)]
        day: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn valid_channel_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn new_channel_key() -> Result<String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
    Ok(format!(
        "kc_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Runs a `channel` subcommand.
pub fn channel(store: &Store, command: ChannelCommand) -> Result<()> {
    match command {
        ChannelCommand::Add { name } => {
            if !valid_channel_name(&name) {
                anyhow::bail!("a channel name is 1 to 32 of a-z 0-9 - _");
            }
            let key = new_channel_key()?;
            wait(|| store.channel_add(&name, &key))?;
            eprintln!(
                "channel {name} added; its key (shown once, keep it in the channel's secret store):"
            );
            println!("{key}");
        }
        ChannelCommand::Rotate { name } => {
            let key = new_channel_key()?;
            wait(|| store.channel_rotate(&name, &key))?;
            eprintln!("channel {name}: new key (shown once; the old one no longer works):");
            println!("{key}");
        }
        ChannelCommand::Revoke { name } => {
            wait(|| store.channel_revoke(&name))?;
            println!("channel {name} revoked");
        }
        ChannelCommand::List { json } => {
            let channels = wait(|| store.channels())?;
            if json {
                return print_json(&channels);
            }
            for c in channels {
                println!("{:<24} {:<8} {}", c.name, c.status, c.created_at);
            }
        }
    }
    Ok(())
}

pub use provisioning::appointments::{AppointmentsFile, HashKey};

/// Signs a platform's `appointments` bundle; returns (version, bookings in it).
pub fn publish_platform(
    store: &Store,
    platform: &str,
    key: &ed25519_dalek::SigningKey,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(u64, usize)> {
    use base64::Engine as _;
    let region = wait(|| store.platform_region(platform))?
        .ok_or_else(|| anyhow::anyhow!("no platform {platform}"))?;
    let today = appointments::local_now(now).date();
    let days: Vec<String> = [today, today + chrono::Duration::days(1)]
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    let hash_key = wait(|| store.region_key(&region))?;
    let bookings = wait(|| store.bookings_for_terminals(platform, &days))?;
    let count = bookings.len();
    let file = AppointmentsFile {
        format: 1,
        platform_id: platform.to_string(),
        region: region.clone(),
        generated_at: crate::store::time_text(now),
        days,
        id_hash: HashKey {
            algorithm: "HMAC-SHA256".into(),
            input: "the 18-character ID number, upper case (check character X), UTF-8; hex output"
                .into(),
            key: base64::engine::general_purpose::STANDARD.encode(&hash_key),
        },
        bookings,
    };
    let mut payload = provisioning::bundle::Payload::default();
    payload.insert(appointments::BUNDLE_FILE, serde_json::to_vec(&file)?)?;
    // One stream for every platform, each version scoped to one platform: versions only
    // go up across platforms, and each terminal sees only its platform's.
    let version = wait(|| store.next_bundle_version(appointments::BUNDLE_STREAM))?;
    crate::admin::bundles::publish(
        store,
        appointments::BUNDLE_STREAM,
        version,
        provisioning::scope::Scope::Platform(platform.to_string()),
        chrono::Duration::days(2),
        &payload,
        key,
    )?;
    Ok((version, count))
}

/// Runs an `appointments` subcommand.
pub fn appointments(store: &Store, command: AppointmentsCommand) -> Result<()> {
    match command {
        AppointmentsCommand::Publish { key, platform } => {
            let key = crate::admin::keys::load(&key)?;
            let platforms: Vec<String> = match platform {
                Some(p) => vec![p],
                None => {
                    let mut ids: Vec<String> = wait(|| store.schedules(None))?
                        .into_iter()
                        .map(|s| s.platform_id)
                        .collect();
                    ids.dedup();
                    ids
                }
            };
            if platforms.is_empty() {
                anyhow::bail!("no platform takes appointments yet (schedule set)");
            }
            let now = chrono::Utc::now();
            for p in platforms {
                let (version, count) = publish_platform(store, &p, &key, now)?;
                println!(
                    "published {} v{version} for platform {p} ({count} bookings)",
                    appointments::BUNDLE_STREAM
                );
            }
        }
        AppointmentsCommand::List {
            platform,
            day,
            json,
        } => {
            let day = match day {
                Some(d) => appointments::parse_date(&d)?,
                None => appointments::local_now(chrono::Utc::now()).date(),
            }
            .format("%Y-%m-%d")
            .to_string();
            let rows = wait(|| store.bookings_on(&platform, &day))?;
            if json {
                return print_json(&rows);
            }
            for b in rows {
                println!(
                    "{}  {}  {:<24} {:<10} {:<9} {}",
                    b.start, b.code, b.service_id, b.masked_name, b.status, b.channel
                );
            }
        }
    }
    Ok(())
}
