//! Guided consultation: the content model (categories → matters → guided flows → outcomes),
//! its loader and validator, the flow engine the UI drives, search, and the guidance slip.

#[cfg(test)]
mod content_item_tests;
#[cfg(test)]
mod content_tests;
pub mod defaults;
pub mod flow;
mod format;
pub mod load;
pub mod model;
pub mod review;
pub mod search;
pub mod slip;
#[cfg(test)]
mod tests;
pub mod text;

pub use flow::{Consultation, ConsultationRecord, FlowError, Screen, ScreenView};
pub use load::{CatalogueError, Problem};
pub use model::{Action, Catalogue, Category, Matter, Outcome, Question, QueueService};
pub use search::{SearchHit, SearchIndex, SearchTarget};
pub use slip::{GuidanceSlip, InstitutionAddress, SlipContext};
pub use text::{Lang, Localized, Text};
