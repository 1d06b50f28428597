//! The citizen at the screen: what their ID card lets the kiosk know, kept only for the
//! session and wiped when it ends.

pub mod card_view;
pub mod citizen;
pub mod identity;
pub mod mask;

pub use citizen::{CardHolder, CardRejected, Citizen};
pub use identity::HashKey;
