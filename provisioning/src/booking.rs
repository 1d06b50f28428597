//! The terminal booking API (issue 20): a terminal lists its own platform's free slots and
//! books one for the citizen at its screen, signed with its device key. The platform is
//! the terminal's enrolment's, never the request's. The terminal sends no name and no ID
//! number: the keyed hash of the number (the region's key, from the `appointments`
//! bundle), the name already masked, and the phone number the citizen typed.

use serde::{Deserialize, Serialize};

/// `POST`: the bookable services of the terminal's platform and their days' slots.
pub const SLOTS_PATH: &str = "/v1/appointments/slots";
/// `POST`: book a slot at the terminal's platform.
pub const BOOK_PATH: &str = "/v1/appointments/bookings";
/// The channel name a terminal's bookings are recorded under: `terminal:<device id>`.
pub const CHANNEL_PREFIX: &str = "terminal:";
/// Most days one slots request covers.
pub const MAX_DAYS: u32 = 14;

/// A slots request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotsRequest {
    /// One service, or every service with a schedule at the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The first day, `YYYY-MM-DD` (China Standard Time); today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// How many days from `from` (1 to [`MAX_DAYS`]).
    pub days: u32,
}

/// The slots answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotsAnswer {
    /// The terminal's platform.
    pub platform_id: String,
    /// Each bookable service, by id.
    pub services: Vec<ServiceDays>,
}

/// A service's days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDays {
    /// Service id (the catalogue's).
    pub service_id: String,
    /// One entry per day asked for.
    pub days: Vec<DaySlots>,
}

/// A day of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySlots {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Why there are no slots (`closed`, or the holiday's name), if there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// Its slots, in order; those begun already have no free place.
    pub slots: Vec<SlotPlaces>,
}

/// One half-hour slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotPlaces {
    /// Local start, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    /// Places left.
    pub free: u32,
}

/// A booking request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// Service id.
    pub service: String,
    /// Slot start, `YYYY-MM-DDTHH:MM` (China Standard Time).
    pub start: String,
    /// The citizen's name as masked on the terminal (`张*`); masked again by the registry.
    pub masked_name: String,
    /// Keyed hash of the ID number under the region's key (64 hex digits).
    pub id_hash: String,
    /// The phone number the citizen typed.
    pub phone: String,
}

/// A booking made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookAnswer {
    /// The booking code to give the citizen.
    pub code: String,
    /// Platform.
    pub platform_id: String,
    /// Service.
    pub service_id: String,
    /// Slot start.
    pub start: String,
    /// The name as kept.
    pub masked_name: String,
}
