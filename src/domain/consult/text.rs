//! Texts of the consultation content: the kiosk-wide types from [`crate::i18n`].

pub use crate::i18n::{Lang, Localized, Shown, Text};
