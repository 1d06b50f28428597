//! Appointments at the terminal (issue 20): the platform's bookings for today and tomorrow
//! from the `appointments` bundle, found by the citizen's ID card (its number hashed in
//! memory with the region's key, never kept) or by the booking code they type; whether they
//! arrive in the check-in window; and the check-ins and missed appointments this terminal
//! records, each once.

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime};
use provisioning::appointments::{
    AppointmentsFile, AppointmentsFileError, BundledBooking, id_hash, normalise_code,
    normalise_id_number,
};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Deserialize;

pub use provisioning::appointments::{BUNDLE_FILE, BUNDLE_STREAM};

/// The outbox events.
pub const CHECKED_IN_EVENT: &str = "appointment.checked_in";
pub const MISSED_EVENT: &str = "appointment.missed";

/// One booking, as the terminal uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub code: String,
    pub service_id: String,
    pub start: NaiveDateTime,
    /// 张* (as on the booking).
    pub masked_name: String,
}

impl Booking {
    fn of(b: &BundledBooking) -> Option<Booking> {
        Some(Booking {
            code: b.code.clone(),
            service_id: b.service_id.clone(),
            start: NaiveDateTime::parse_from_str(&b.start, "%Y-%m-%dT%H:%M").ok()?,
            masked_name: b.masked_name.clone(),
        })
    }

    /// `2026-11-26T10:00`, as the registry names the slot.
    pub fn slot(&self) -> String {
        self.start.format("%Y-%m-%dT%H:%M").to_string()
    }
}

/// The platform's bookings in force.
#[derive(Debug)]
pub struct Appointments {
    key: Vec<u8>,
    bookings: Vec<Booking>,
    by_code: HashMap<String, usize>,
    by_hash: HashMap<String, Vec<usize>>,
}

impl Appointments {
    /// Parses and checks an `appointments.json`.
    pub fn parse(bytes: &[u8]) -> Result<Self, AppointmentsFileError> {
        let file = AppointmentsFile::parse(bytes)?;
        let key = file
            .key()
            .ok_or_else(|| AppointmentsFileError::Invalid("no usable key".into()))?;
        let mut this = Self {
            key,
            bookings: Vec::with_capacity(file.bookings.len()),
            by_code: HashMap::new(),
            by_hash: HashMap::new(),
        };
        for b in &file.bookings {
            // `parse` checked every start: none is skipped here.
            let Some(booking) = Booking::of(b) else {
                continue;
            };
            let i = this.bookings.len();
            this.by_code.insert(booking.code.clone(), i);
            this.by_hash.entry(b.id_hash.clone()).or_default().push(i);
            this.bookings.push(booking);
        }
        Ok(this)
    }

    /// The bookings in force, if an `appointments` bundle is (an unusable one is logged).
    pub fn in_force(conn: &Connection) -> Option<Self> {
        let text = crate::store::bundles::text(conn, BUNDLE_STREAM, BUNDLE_FILE)?;
        Self::parse(text.as_bytes())
            .map_err(|e| tracing::error!("the appointments in force are not usable: {e}"))
            .ok()
    }

    pub fn len(&self) -> usize {
        self.bookings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bookings.is_empty()
    }

    /// The keyed hash of an ID number under this region's key (what bookings — those made at
    /// this terminal too — and work orders hold instead of the number), hashed in memory;
    /// `None` for a number that is not one.
    pub fn hash_of(&self, id_number: &str) -> Option<String> {
        normalise_id_number(id_number).map(|number| id_hash(&self.key, &number))
    }

    /// The bookings on `day` of the person whose ID number is `id_number` (read from their
    /// card; hashed here, in memory, and forgotten).
    pub fn by_card(&self, id_number: &str, day: NaiveDate) -> Vec<&Booking> {
        let Some(hash) = self.hash_of(id_number) else {
            return Vec::new();
        };
        self.by_hash
            .get(&hash)
            .into_iter()
            .flatten()
            .map(|&i| &self.bookings[i])
            .filter(|b| b.start.date() == day)
            .collect()
    }

    /// The booking with the code typed (any case, spaces or a dash allowed).
    pub fn by_code(&self, typed: &str) -> Option<&Booking> {
        let code = normalise_code(typed)?;
        self.by_code.get(&code).map(|&i| &self.bookings[i])
    }

    /// Every booking on `day`.
    pub fn on(&self, day: NaiveDate) -> impl Iterator<Item = &Booking> {
        self.bookings.iter().filter(move |b| b.start.date() == day)
    }
}

/// What happens to a citizen who comes after the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LatePolicy {
    /// A normal ticket (no appointment priority); the appointment is recorded as missed.
    #[default]
    NormalTicket,
    /// No ticket from the kiosk: staff decide.
    Staff,
}

/// When a booking may check in: from `early` minutes before its start to `late` minutes
/// after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub early_minutes: i64,
    pub late_minutes: i64,
    pub late: LatePolicy,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            early_minutes: 30,
            late_minutes: 15,
            late: LatePolicy::NormalTicket,
        }
    }
}

/// When the citizen arrives, for their booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// In the window: an appointment-priority ticket.
    InWindow,
    /// Before the window opens (at `opens`).
    Early { opens: NaiveDateTime },
    /// After the window closed.
    Late,
    /// The booking is for another day.
    OtherDay,
}

impl Window {
    pub fn arrival(&self, booking: &Booking, now: NaiveDateTime) -> Arrival {
        if booking.start.date() != now.date() {
            return Arrival::OtherDay;
        }
        let opens = booking.start - Duration::minutes(self.early_minutes);
        if now < opens {
            Arrival::Early { opens }
        } else if now > self.closes(booking) {
            Arrival::Late
        } else {
            Arrival::InWindow
        }
    }

    /// When the window of `booking` closes.
    pub fn closes(&self, booking: &Booking) -> NaiveDateTime {
        booking.start + Duration::minutes(self.late_minutes)
    }
}

/// The ticket number a booking already checked in with at this terminal, if it did.
pub fn checked_in(conn: &Connection, code: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT ticket_number FROM appointment_checkins WHERE code = ?1",
        [code],
        |r| r.get(0),
    )
    .optional()
}

/// Records a check-in and its event for the operations centre, in the caller's transaction.
/// False when the booking had already checked in (nothing is written).
pub fn record_check_in(
    conn: &Connection,
    booking: &Booking,
    ticket_number: &str,
    late: bool,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<bool> {
    let added = conn.execute(
        "INSERT OR IGNORE INTO appointment_checkins
           (code, service_id, slot, ticket_number, late, checked_in_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            booking.code,
            booking.service_id,
            booking.slot(),
            ticket_number,
            late,
            at.to_rfc3339()
        ],
    )?;
    if added == 0 {
        return Ok(false);
    }
    crate::store::outbox::append(
        conn,
        CHECKED_IN_EVENT,
        &serde_json::json!({
            "type": CHECKED_IN_EVENT,
            "code": booking.code,
            "service_id": booking.service_id,
            "slot": booking.slot(),
            "ticket": ticket_number,
            "late": late,
        }),
        at,
    )?;
    Ok(true)
}

/// Records, once each, today's bookings whose window closed without a check-in here; returns
/// how many were recorded now.
pub fn record_missed(
    conn: &Connection,
    appointments: &Appointments,
    window: &Window,
    at: DateTime<FixedOffset>,
) -> rusqlite::Result<usize> {
    let now = at.naive_local();
    let mut recorded = 0;
    for booking in appointments.on(now.date()) {
        if now <= window.closes(booking) || checked_in(conn, &booking.code)?.is_some() {
            continue;
        }
        let added = conn.execute(
            "INSERT OR IGNORE INTO appointment_missed (code, slot, recorded_at) VALUES (?1, ?2, ?3)",
            params![booking.code, booking.slot(), at.to_rfc3339()],
        )?;
        if added == 1 {
            crate::store::outbox::append(
                conn,
                MISSED_EVENT,
                &serde_json::json!({
                    "type": MISSED_EVENT,
                    "code": booking.code,
                    "service_id": booking.service_id,
                    "slot": booking.slot(),
                }),
                at,
            )?;
            recorded += 1;
        }
    }
    Ok(recorded)
}
