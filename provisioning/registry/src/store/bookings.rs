//! Booking channels, bookings and the regions' hash keys (issue 20), on either store.
//!
//! A booking keeps the minimum: the masked name, the ID number's keyed hash (the key is
//! the region's, see [`Store::region_key`]), a phone number for the centre's own messages,
//! and a short code. The full name and number are never written anywhere.
//!
//! A slot's places are counted in `slot_counts`: a booking takes a place with
//! `UPDATE … SET booked = booked + 1 WHERE booked < capacity` in the same transaction that
//! inserts it, so that concurrent bookings for the last places (on several registry
//! instances too) take exactly as many as there are.

use super::checked::{Outcome, Step};
use super::portable::Value;
use super::{Store, StoreError, now_text};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// The schema (SQLite's dialect; PostgreSQL's through `pg::schema::dialect`).
pub const DDL: &str = "
CREATE TABLE channels (
  name TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the key; the key is shown once
  status TEXT NOT NULL DEFAULT 'active',  -- active | revoked
  created_at TEXT NOT NULL
);
CREATE TABLE region_keys (
  region TEXT PRIMARY KEY,
  hash_key BLOB NOT NULL,                 -- HMAC key for ID numbers; only in signed bundles
  created_at TEXT NOT NULL
);
CREATE TABLE bookings (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  platform_id TEXT NOT NULL REFERENCES platforms(id),
  region TEXT NOT NULL,
  service_id TEXT NOT NULL,
  slot TEXT NOT NULL,                     -- local start, YYYY-MM-DDTHH:MM
  day TEXT NOT NULL,                      -- YYYY-MM-DD
  masked_name TEXT NOT NULL,
  id_hash TEXT NOT NULL,
  phone TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'booked',  -- booked | cancelled | checked_in | missed
  created_at TEXT NOT NULL,
  cancelled_at TEXT,
  cancelled_by TEXT
);
CREATE UNIQUE INDEX bookings_one_a_day ON bookings (platform_id, service_id, day, id_hash) WHERE status = 'booked';
CREATE INDEX bookings_day ON bookings (platform_id, day);
";

/// A channel key's stored form.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}

/// A booking channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// Name, e.g. `hotline-12348`.
    pub name: String,
    /// `active` or `revoked`.
    pub status: String,
    /// When it was added.
    pub created_at: String,
}

/// A booking to make.
#[derive(Debug, Clone)]
pub struct NewBooking {
    /// The channel that makes it.
    pub channel: String,
    /// Platform.
    pub platform_id: String,
    /// The platform's region.
    pub region: String,
    /// Service.
    pub service_id: String,
    /// Local start, YYYY-MM-DDTHH:MM.
    pub slot: String,
    /// Masked name.
    pub masked_name: String,
    /// Keyed hash of the ID number.
    pub id_hash: String,
    /// Phone.
    pub phone: String,
    /// The slot's capacity now.
    pub capacity: u32,
}

/// Why a booking was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookRefusal {
    /// No place left.
    SlotFull,
    /// The person already holds a booking for this service at this platform that day.
    Duplicate,
    /// The code asked for is taken.
    CodeTaken,
}

/// A booking as channels and the console see it (no hash, no phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booking {
    /// Booking code.
    pub code: String,
    /// Channel that made it.
    pub channel: String,
    /// Platform.
    pub platform_id: String,
    /// Service.
    pub service_id: String,
    /// Local start.
    pub start: String,
    /// Masked name.
    pub masked_name: String,
    /// `booked` or `cancelled`.
    pub status: String,
    /// When it was made.
    pub created_at: String,
}

pub use provisioning::appointments::BundledBooking;

fn booking_from(r: &[Value]) -> Booking {
    Booking {
        code: r[0].text().into(),
        channel: r[1].text().into(),
        platform_id: r[2].text().into(),
        service_id: r[3].text().into(),
        start: r[4].text().into(),
        masked_name: r[5].text().into(),
        status: r[6].text().into(),
        created_at: r[7].text().into(),
    }
}

impl Store {
    /// Adds a channel with the SHA-256 of its key.
    pub async fn channel_add(&self, name: &str, key: &str) -> Result<(), StoreError> {
        let taken = self
            .rows("SELECT 1 FROM channels WHERE name = ?1", vec![name.into()])
            .await?;
        if !taken.is_empty() {
            return Err(StoreError::Invalid(format!(
                "channel {name} exists; `channel rotate {name}` gives it a new key"
            )));
        }
        self.exec_all(vec![(
            "INSERT INTO channels (name, key_hash, status, created_at) VALUES (?1, ?2, 'active', ?3)",
            vec![name.into(), key_hash(key).into(), now_text().into()],
        )])
        .await?;
        Ok(())
    }

    /// Replaces a channel's key (the old one stops working at once) and makes it active.
    pub async fn channel_rotate(&self, name: &str, key: &str) -> Result<(), StoreError> {
        let n = self
            .exec_all(vec![(
                "UPDATE channels SET key_hash = ?2, status = 'active' WHERE name = ?1",
                vec![name.into(), key_hash(key).into()],
            )])
            .await?;
        StoreError::unless_touched(n[0], || format!("no channel {name}"))
    }

    /// Refuses a channel's key from now on.
    pub async fn channel_revoke(&self, name: &str) -> Result<(), StoreError> {
        let n = self
            .exec_all(vec![(
                "UPDATE channels SET status = 'revoked' WHERE name = ?1",
                vec![name.into()],
            )])
            .await?;
        StoreError::unless_touched(n[0], || format!("no channel {name}"))
    }

    /// Every channel.
    pub async fn channels(&self) -> Result<Vec<Channel>, StoreError> {
        let rows = self
            .rows(
                "SELECT name, status, created_at FROM channels ORDER BY name",
                vec![],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Channel {
                name: r[0].text().into(),
                status: r[1].text().into(),
                created_at: r[2].text().into(),
            })
            .collect())
    }

    /// The active channel whose key this is.
    pub async fn channel_for_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        let rows = self
            .rows(
                "SELECT name FROM channels WHERE key_hash = ?1 AND status = 'active'",
                vec![key_hash(key).into()],
            )
            .await?;
        Ok(rows.first().map(|r| r[0].text().to_string()))
    }

    /// The region's key for ID-number hashes, made on first use (instances racing to make
    /// it keep the first one written).
    pub async fn region_key(&self, region: &str) -> Result<Vec<u8>, StoreError> {
        let existing = self
            .rows(
                "SELECT hash_key FROM region_keys WHERE region = ?1",
                vec![region.into()],
            )
            .await?;
        if let Some(row) = existing.into_iter().next() {
            return Ok(row
                .into_iter()
                .next()
                .map(Value::into_bytes)
                .unwrap_or_default());
        }
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key).map_err(|e| StoreError::Task(format!("randomness: {e}")))?;
        self.exec_all(vec![(
            "INSERT INTO region_keys (region, hash_key, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (region) DO NOTHING",
            vec![region.into(), key.into(), now_text().into()],
        )])
        .await?;
        let rows = self
            .rows(
                "SELECT hash_key FROM region_keys WHERE region = ?1",
                vec![region.into()],
            )
            .await?;
        rows.into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .map(Value::into_bytes)
            .ok_or_else(|| StoreError::Invalid(format!("no hash key for region {region}")))
    }

    /// Takes a place of the slot and records the booking under `code`, in one transaction.
    pub async fn book(
        &self,
        b: &NewBooking,
        code: &str,
    ) -> Result<Result<(), BookRefusal>, StoreError> {
        let day = b.slot.get(..10).unwrap_or_default().to_string();
        let steps = vec![
            Step::run(
                "INSERT INTO slot_counts (platform_id, service_id, slot, booked) VALUES (?1, ?2, ?3, 0)
                 ON CONFLICT (platform_id, service_id, slot) DO NOTHING",
                vec![b.platform_id.clone().into(), b.service_id.clone().into(), b.slot.clone().into()],
            ),
            Step::must(
                "UPDATE slot_counts SET booked = booked + 1
                 WHERE platform_id = ?1 AND service_id = ?2 AND slot = ?3 AND booked < ?4",
                vec![
                    b.platform_id.clone().into(),
                    b.service_id.clone().into(),
                    b.slot.clone().into(),
                    i64::from(b.capacity).into(),
                ],
            ),
            Step::must(
                "INSERT INTO bookings (code, channel, platform_id, region, service_id, slot, day, masked_name, id_hash, phone, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'booked', ?11) ON CONFLICT DO NOTHING",
                vec![
                    code.into(),
                    b.channel.clone().into(),
                    b.platform_id.clone().into(),
                    b.region.clone().into(),
                    b.service_id.clone().into(),
                    b.slot.clone().into(),
                    day.clone().into(),
                    b.masked_name.clone().into(),
                    b.id_hash.clone().into(),
                    b.phone.clone().into(),
                    now_text().into(),
                ],
            ),
        ];
        match self.transact(steps).await? {
            Outcome::Committed(_) => Ok(Ok(())),
            Outcome::Refused(1) => Ok(Err(BookRefusal::SlotFull)),
            Outcome::Refused(_) => {
                // Which unique key refused it: the person's booking that day, or the code.
                let held = self
                    .rows(
                        "SELECT 1 FROM bookings WHERE platform_id = ?1 AND service_id = ?2 AND day = ?3
                         AND id_hash = ?4 AND status = 'booked'",
                        vec![
                            b.platform_id.clone().into(),
                            b.service_id.clone().into(),
                            day.into(),
                            b.id_hash.clone().into(),
                        ],
                    )
                    .await?;
                Ok(Err(if held.is_empty() {
                    BookRefusal::CodeTaken
                } else {
                    BookRefusal::Duplicate
                }))
            }
        }
    }

    /// A booking by code.
    pub async fn booking(&self, code: &str) -> Result<Option<Booking>, StoreError> {
        let rows = self
            .rows(
                "SELECT code, channel, platform_id, service_id, slot, masked_name, status, created_at
                 FROM bookings WHERE code = ?1",
                vec![code.into()],
            )
            .await?;
        Ok(rows.first().map(|r| booking_from(r)))
    }

    /// Cancels a booking (by `channel`) and gives its place back; false if it was not
    /// booked (already cancelled, or cancelled by a concurrent request).
    pub async fn cancel_booking(&self, code: &str, channel: &str) -> Result<bool, StoreError> {
        // The booking's row first: a second cancellation waits for it, then finds it
        // cancelled and gives nothing back twice.
        let steps = vec![
            Step::must(
                "UPDATE bookings SET status = 'cancelled', cancelled_at = ?2, cancelled_by = ?3
                 WHERE code = ?1 AND status = 'booked'",
                vec![code.into(), now_text().into(), channel.into()],
            ),
            Step::run(
                "UPDATE slot_counts SET booked = booked - 1
                 WHERE booked > 0 AND (platform_id, service_id, slot) =
                   (SELECT platform_id, service_id, slot FROM bookings WHERE code = ?1)",
                vec![code.into()],
            ),
        ];
        Ok(matches!(self.transact(steps).await?, Outcome::Committed(_)))
    }

    /// A platform's bookings on these days (still booked), for its terminals.
    pub async fn bookings_for_terminals(
        &self,
        platform: &str,
        days: &[String],
    ) -> Result<Vec<BundledBooking>, StoreError> {
        let mut out = Vec::new();
        for day in days {
            let rows = self
                .rows(
                    "SELECT code, service_id, slot, masked_name, id_hash FROM bookings
                     WHERE platform_id = ?1 AND day = ?2 AND status = 'booked' ORDER BY slot, code",
                    vec![platform.into(), day.clone().into()],
                )
                .await?;
            out.extend(rows.iter().map(|r| BundledBooking {
                code: r[0].text().into(),
                service_id: r[1].text().into(),
                start: r[2].text().into(),
                masked_name: r[3].text().into(),
                id_hash: r[4].text().into(),
            }));
        }
        Ok(out)
    }

    /// Bookings of a platform on a day (console and command line; no hash, no phone).
    pub async fn bookings_on(&self, platform: &str, day: &str) -> Result<Vec<Booking>, StoreError> {
        let rows = self
            .rows(
                "SELECT code, channel, platform_id, service_id, slot, masked_name, status, created_at
                 FROM bookings WHERE platform_id = ?1 AND day = ?2 ORDER BY slot, code",
                vec![platform.into(), day.into()],
            )
            .await?;
        Ok(rows.iter().map(|r| booking_from(r)).collect())
    }
}

impl Store {
    /// One above the highest version of `stream` published (1 for a new stream).
    pub async fn next_bundle_version(&self, stream: &str) -> Result<u64, StoreError> {
        let rows = self
            .rows(
                "SELECT COALESCE(MAX(version), 0) FROM bundles WHERE stream = ?1",
                vec![stream.into()],
            )
            .await?;
        let max = rows.first().map_or(0, |r| r[0].int());
        Ok(max.max(0) as u64 + 1)
    }
}
