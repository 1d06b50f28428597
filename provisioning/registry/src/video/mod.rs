//! Video calls: the call hub (queues per region, relay between terminal and lawyer) and the
//! lawyers' login sessions. The WebSocket endpoints and the console live in `routes`.

pub mod hub;
pub mod relay;
pub mod sessions;
pub mod turn;

pub use hub::{Hub, KioskInfo, LawyerInfo};
pub use sessions::LawyerSessions;
