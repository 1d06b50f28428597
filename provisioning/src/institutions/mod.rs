//! The province's institutions (issue 19): the record a terminal shows and prints, the
//! `institutions` bundle that carries them, coordinates (WGS-84 and the GCJ-02 datum of
//! Chinese map tiles), opening hours and the directory search.
//!
//! * [`kind`]: what an institution is (律师事务所, 公证处, …), with stable codes and the law
//!   each kind rests on.
//! * [`geo`]: datums, WGS-84 ↔ GCJ-02 and great-circle distance.
//! * [`hours`]: opening hours (`Mo-Fr 09:00-17:00; Sa 09:00-12:00; PH off`), holidays and
//!   adjusted working days (调休), "open now".
//! * [`record`]: one institution and its validation.
//! * [`bundle`]: the versioned JSON file of the `institutions` stream (institutions, holidays,
//!   the centre's navigation link pattern).
//! * [`search`]: filter by kind, district and "open now"; nearest first.
//! * [`synthetic`]: a deterministic synthetic province, for tests and benchmarks.

pub mod bundle;
pub mod geo;
pub mod hours;
pub mod kind;
pub mod record;
pub mod search;
pub mod synthetic;

pub use bundle::{BundleFileError, EntryError, InstitutionsFile, NavigationPattern};
pub use geo::{Datum, Location};
pub use hours::{Calendar, OpeningHours};
pub use kind::InstitutionKind;
pub use record::{Institution, LocalizedName, Wheelchair};
pub use search::{Directory, Hit, Query};
