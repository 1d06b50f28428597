//! Library half of the legal-kiosk firmware.

pub mod consult;
pub mod legal_aid;
pub mod rating;
