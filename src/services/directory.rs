//! The province's institutions for the citizen (找机构): search near this terminal, one
//! institution's details, the nearest of a kind for an outcome or a slip, and the slip that
//! takes the citizen there (address, phone, hours, a QR that opens navigation on their phone).
//! Reads the `institutions` bundle in force; nothing here is personal, nothing is recorded.

use std::sync::Arc;

use chrono::NaiveDateTime;
use provisioning::institutions::InstitutionKind;

use crate::clock::Clock;
use crate::domain::consult::InstitutionAddress;
use crate::domain::institutions::{Filter, Here, Place};
use crate::domain::map::Pin;
use crate::i18n::Lang;
use crate::services::ContentService;
use crate::services::printing::{PrintResult, PrintService};

/// Where this terminal stands, read when asked (enrolling changes it without a restart).
pub type HereOf = Arc<dyn Fn() -> Here + Send + Sync>;

/// How many institutions an outcome and its slip list.
pub const NEAREST_ON_OUTCOMES: usize = 3;

#[derive(Clone)]
pub struct DirectoryService {
    content: ContentService,
    clock: Arc<dyn Clock>,
    here: HereOf,
    printing: PrintService,
}

impl DirectoryService {
    pub fn new(
        content: ContentService,
        clock: Arc<dyn Clock>,
        here: HereOf,
        printing: PrintService,
    ) -> Self {
        Self {
            content,
            clock,
            here,
            printing,
        }
    }

    fn now(&self) -> NaiveDateTime {
        self.clock.now().naive_local()
    }

    /// Whether an `institutions` bundle is in force (without one the page says so and
    /// outcomes point to the staff, as before).
    pub fn available(&self) -> bool {
        self.content
            .current()
            .institutions
            .is_some_and(|i| !i.is_empty())
    }

    /// Whether results are ordered from this terminal (its platform is in the bundle).
    pub fn knows_location(&self) -> bool {
        self.content
            .current()
            .institutions
            .is_some_and(|i| i.location_of(&(self.here)()).is_some())
    }

    /// The kinds the directory holds, in display order.
    pub fn kinds(&self) -> Vec<InstitutionKind> {
        self.content
            .current()
            .institutions
            .map(|i| i.kinds())
            .unwrap_or_default()
    }

    /// The institutions matching `filter`, nearest first.
    pub fn search(&self, filter: &Filter, lang: Lang) -> Vec<Place> {
        self.content
            .current()
            .institutions
            .map(|i| i.search(filter, &(self.here)(), self.now(), lang, 0))
            .unwrap_or_default()
    }

    /// The nearest institutions of a catalogue institution kind (an outcome's next step).
    pub fn nearest(&self, kind: &str, lang: Lang) -> Vec<Place> {
        self.content
            .current()
            .institutions
            .map(|i| i.nearest(kind, &(self.here)(), self.now(), lang, NEAREST_ON_OUTCOMES))
            .unwrap_or_default()
    }

    /// One institution, as its detail page shows it.
    pub fn find(&self, id: &str, lang: Lang) -> Option<Place> {
        self.content
            .current()
            .institutions
            .and_then(|i| i.find(id, &(self.here)(), self.now(), lang))
    }

    /// The pins of a map showing `place`: it, highlighted, and this service point.
    pub fn map_pins(&self, place: &Place) -> Vec<Pin> {
        let here = self
            .content
            .current()
            .institutions
            .and_then(|i| i.location_of(&(self.here)()));
        crate::domain::map::pins(here, [place], Some(&place.id))
    }

    /// The nearest institutions of `kind` as a guidance slip prints them (in Chinese:
    /// thermal printers carry GB18030 fonts only).
    pub fn slip_addresses(&self, kind: &str) -> Vec<InstitutionAddress> {
        self.nearest(kind, Lang::ZhCn)
            .into_iter()
            .map(|p| InstitutionAddress {
                kind: kind.to_string(),
                distance: p.distance(Lang::ZhCn),
                hours: p.hours.clone(),
                phone: p.phone.clone(),
                address: p.address,
                name: p.name,
            })
            .collect()
    }

    /// Prints the slip that takes the citizen to institution `id`.
    pub fn print_place(&self, id: &str, reply: impl FnOnce(PrintResult) + Send + 'static) {
        match self.find(id, Lang::ZhCn) {
            Some(place) => self.printing.print_place(&place, reply),
            None => reply(PrintResult::Failed(format!(
                "institution {id} is not in the directory in force"
            ))),
        }
    }
}
