//! The rules of the kiosk's work, in plain Rust over the store: the queue, the consultation
//! guide, the legal-aid self-check, ratings, the staff menu's accounts and settings, and the
//! content in force, the checks a signed bundle passes before it is applied, and Korean input.
//! No screen, device or network here (see ARCHITECTURE.md).

pub mod appointments;
pub mod booking;
pub mod bundle_check;
pub mod consult;
pub mod content;
pub mod hangul;
pub mod institutions;
pub mod legal_aid;
pub mod maintenance;
pub mod map;
pub mod queue;
pub mod rating;
pub mod updates;
pub mod voice;
pub mod work_orders;

use std::fmt;

/// A list shown one item a line, each as `  - item`: the problems an error names.
pub(crate) struct Bullets<'a, T>(pub &'a [T]);

impl<T: fmt::Display> fmt::Display for Bullets<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {item}")?;
        }
        Ok(())
    }
}
