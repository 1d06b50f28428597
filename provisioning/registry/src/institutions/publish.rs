//! `institutions publish`: the registry's institutions signed as the `institutions` bundle,
//! coordinates converted to GCJ-02 (the datum of Chinese map tiles and map apps), with the
//! centre's navigation link pattern, its holiday calendar and the platforms' coordinates
//! (from the directory's platforms).

use super::rows::from_row;
use crate::store::Store;
use crate::store::directory::Kind;
use anyhow::{Context as _, Result, bail};
use ed25519_dalek::SigningKey;
use provisioning::bundle::{Manifest, Payload};
use provisioning::institutions::bundle::{
    DEFAULT_NAVIGATION_URL, FILE, FORMAT, Holiday, NavigationPattern, PlatformLocation, STREAM,
    Workday,
};
use provisioning::institutions::{Datum, InstitutionsFile, Location};
use provisioning::scope::Scope;
use serde::Deserialize;
use std::path::Path;

/// The centre's calendar file (JSON): `{"holidays": [{"date": "2025-10-01", "name": "国庆节"}],
/// "workdays": [{"date": "2025-09-28", "as": "Mo", "name": "国庆节调休"}]}`, copied from the
/// 国务院办公厅's yearly notice on public holidays.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    /// Public holidays.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    /// Adjusted working days.
    #[serde(default)]
    pub workdays: Vec<Workday>,
}

impl CalendarFile {
    /// Reads a calendar file.
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a calendar file", path.display()))
    }
}

/// What to publish.
#[derive(Debug)]
pub struct Options {
    /// Version; the stream's latest plus one when `None`.
    pub version: Option<u64>,
    /// The navigation link pattern (the default: Amap's marker link).
    pub navigation_url: Option<String>,
    /// Holidays and adjusted working days.
    pub calendar: CalendarFile,
    /// Which terminals.
    pub scope: Scope,
    /// How long terminals accept it.
    pub valid_for: chrono::Duration,
}

/// The bundle file from the stored institutions: every problem, by id, when any row is not
/// publishable (nothing is published then).
pub fn build(
    store: &Store,
    navigation_url: &str,
    calendar: CalendarFile,
) -> Result<InstitutionsFile> {
    let rows = store.institutions()?;
    if rows.is_empty() {
        bail!("no institutions; import them with `institutions import FILE.csv`");
    }
    let mut problems = Vec::new();
    let mut institutions = Vec::with_capacity(rows.len());
    for row in &rows {
        match from_row(row) {
            Ok(mut i) => {
                i.location = i.location.map(|l| l.to(Datum::Gcj02));
                institutions.push(i);
            }
            Err(p) => problems.push(format!("institution {}: {p}", row.id)),
        }
    }
    // The platforms with coordinates in the directory, so a terminal measures from its own.
    let platforms = crate::store::wait(|| store.directory(Kind::Platforms))?
        .into_iter()
        .filter_map(|p| {
            let location = Location::wgs84(p.lat?, p.lon?).to(Datum::Gcj02);
            Some(PlatformLocation { id: p.id, location })
        })
        .collect();
    let navigation_url = NavigationPattern::parse(navigation_url).map_err(anyhow::Error::msg)?;
    let file = InstitutionsFile {
        format: FORMAT,
        datum: Datum::Gcj02,
        navigation_url,
        holidays: calendar.holidays,
        workdays: calendar.workdays,
        institutions,
        platforms,
    };
    problems.extend(file.problems().iter().map(ToString::to_string));
    if !problems.is_empty() {
        bail!(
            "{} problem(s), nothing published:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
    Ok(file)
}

/// Builds, signs and stores the bundle.
pub fn publish(
    store: &Store,
    options: Options,
    key: &SigningKey,
) -> Result<(Manifest, InstitutionsFile)> {
    let file = build(
        store,
        options
            .navigation_url
            .as_deref()
            .unwrap_or(DEFAULT_NAVIGATION_URL),
        options.calendar,
    )?;
    let version = match options.version {
        Some(v) => v,
        None => {
            store
                .bundles()?
                .iter()
                .filter(|b| b.stream == STREAM)
                .map(|b| b.version)
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    let mut payload = Payload::default();
    payload.insert(FILE, file.to_json())?;
    let (manifest, _) = crate::admin::bundles::publish(
        store,
        STREAM,
        version,
        options.scope,
        options.valid_for,
        &payload,
        key,
    )?;
    Ok((manifest, file))
}
