//! The citizen at the screen: what their ID card lets the kiosk know, kept only for the
//! session and wiped when it ends; the session itself, and the guard that keeps late
//! results from reaching the next citizen.

pub mod card_view;
pub mod citizen;
pub mod epoch;
pub mod identity;
/// The masking rule lives in `provisioning`: the registry masks booking names by it too.
pub use provisioning::mask;
pub mod state;

pub use citizen::{CardHolder, CardRejected, Citizen};
pub use epoch::{Epoch, Guard};
pub use identity::HashKey;
pub use state::{CardOutcome, Session};
