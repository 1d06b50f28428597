//! The province's institutions on the terminal (issue 19): the `institutions` bundle in
//! force, searched for the citizen in front of it — by kind, near or far from this
//! terminal's own platform, open now, free services — and the three nearest of a kind that
//! a consultation outcome or a self-check result sends them to.
//!
//! The bundle's format, validation, hours and distances are `provisioning::institutions`
//! (the registry writes what the terminal reads); this module adds what the terminal knows:
//! where it stands, the time now and the citizen's language.

mod names;
mod place;
pub mod sample;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use provisioning::institutions::search::{Directory, Query};
use provisioning::institutions::{
    BundleFileError, Institution, InstitutionKind, InstitutionsFile, Location, NavigationPattern,
};

use crate::i18n::Lang;

pub use names::{distance_text, kind_name, nearest_heading};
pub use place::Place;

/// The stream and its one file.
pub use provisioning::institutions::bundle::{FILE, STREAM};

/// Where this terminal stands: its platform (whose coordinates the bundle lists) and its
/// region code, both from its enrolment; either may be unknown (a terminal not enrolled).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Here {
    pub platform: Option<String>,
    pub region: Option<String>,
}

/// How far from this terminal to look: its district, its city or the whole province.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reach {
    #[default]
    District,
    City,
    Province,
}

impl Reach {
    pub const ALL: [Reach; 3] = [Reach::District, Reach::City, Reach::Province];

    /// The division code that covers this reach around `region` (`220104` → district
    /// `220104`, city `220100`, province `220000`); `None` when the region is unknown.
    pub fn division(self, region: &str) -> Option<String> {
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(match self {
            Reach::District => region.to_string(),
            Reach::City => format!("{}00", &region[..4]),
            Reach::Province => format!("{}0000", &region[..2]),
        })
    }

    /// Its stable id in the view.
    pub fn id(self) -> &'static str {
        match self {
            Reach::District => "district",
            Reach::City => "city",
            Reach::Province => "province",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// What the citizen asked for on the find-a-service page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// One kind, or every kind.
    pub kind: Option<InstitutionKind>,
    pub reach: Reach,
    /// Only those open now.
    pub open_now: bool,
    /// Only those with a free service.
    pub free_only: bool,
}

/// The institutions in force, ready to search.
#[derive(Debug)]
pub struct Institutions {
    directory: Directory,
    navigation: NavigationPattern,
    platforms: HashMap<String, Location>,
    by_id: HashMap<String, usize>,
}

impl Institutions {
    /// Parses and checks an `institutions.json` file (every bad entry refuses the file).
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleFileError> {
        Ok(Self::new(InstitutionsFile::parse(bytes)?))
    }

    pub fn new(file: InstitutionsFile) -> Self {
        let navigation = file.navigation_url.clone();
        let platforms = file
            .platforms
            .iter()
            .map(|p| (p.id.clone(), p.location))
            .collect();
        let directory = Directory::new(file);
        let by_id = directory
            .institutions()
            .iter()
            .enumerate()
            .map(|(i, inst)| (inst.id.clone(), i))
            .collect();
        Self {
            directory,
            navigation,
            platforms,
            by_id,
        }
    }

    /// How many institutions the bundle holds.
    pub fn len(&self) -> usize {
        self.directory.institutions().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where this terminal's platform is, when the bundle lists it.
    pub fn location_of(&self, here: &Here) -> Option<Location> {
        here.platform
            .as_ref()
            .and_then(|p| self.platforms.get(p))
            .copied()
    }

    /// The institutions that match `filter`, nearest first from this terminal's platform
    /// (by kind and id when the terminal does not know where it is); at most `limit`
    /// (all when 0).
    pub fn search(
        &self,
        filter: &Filter,
        here: &Here,
        now: NaiveDateTime,
        lang: Lang,
        limit: usize,
    ) -> Vec<Place> {
        let kinds: Vec<InstitutionKind> = filter.kind.into_iter().collect();
        let region = here
            .region
            .as_deref()
            .and_then(|r| filter.reach.division(r));
        let query = Query {
            kinds: &kinds,
            region: region.as_deref(),
            near: self.location_of(here),
            open_at: filter.open_now.then_some(now),
            free_only: filter.free_only,
            limit,
        };
        self.directory
            .search(&query)
            .into_iter()
            .map(|hit| self.place(hit.institution, hit.distance_m, now, lang))
            .collect()
    }

    /// The `n` nearest institutions of the catalogue's institution kind `kind` (an outcome's
    /// "go to a notary office"), anywhere in the province; none when the bundle has no
    /// such kind (a court, the police: not in the directory).
    pub fn nearest(
        &self,
        kind: &str,
        here: &Here,
        now: NaiveDateTime,
        lang: Lang,
        n: usize,
    ) -> Vec<Place> {
        let Some(kind) = InstitutionKind::parse(kind) else {
            return Vec::new();
        };
        let filter = Filter {
            kind: Some(kind),
            reach: Reach::Province,
            ..Filter::default()
        };
        self.search(&filter, here, now, lang, n.max(1))
    }

    /// One institution by id, as its detail page shows it.
    pub fn find(&self, id: &str, here: &Here, now: NaiveDateTime, lang: Lang) -> Option<Place> {
        let institution = self.directory.institutions().get(*self.by_id.get(id)?)?;
        let distance = self
            .location_of(here)
            .zip(institution.location)
            .map(|(from, to)| from.distance_m(to));
        Some(self.place(institution, distance, now, lang))
    }

    /// The kinds the bundle holds, in display order (the page offers no empty kind).
    pub fn kinds(&self) -> Vec<InstitutionKind> {
        InstitutionKind::ALL
            .into_iter()
            .filter(|k| self.directory.institutions().iter().any(|i| i.kind == *k))
            .collect()
    }

    fn place(
        &self,
        institution: &Institution,
        distance_m: Option<f64>,
        now: NaiveDateTime,
        lang: Lang,
    ) -> Place {
        let navigation = institution.location.map(|l| {
            self.navigation
                .render(l.lat, l.lng, &institution.name.zh_cn)
        });
        Place::of(
            institution,
            self.directory.calendar(),
            distance_m,
            navigation,
            now,
            lang,
        )
    }
}
