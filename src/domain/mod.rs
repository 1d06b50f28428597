//! The rules of the kiosk's work, in plain Rust over the store: the queue, the consultation
//! guide, the legal-aid self-check, ratings, the staff menu's accounts and settings, and the
//! content in force. No screen, device or network here (see ARCHITECTURE.md).

pub mod consult;
pub mod content;
pub mod legal_aid;
pub mod maintenance;
pub mod queue;
pub mod rating;
