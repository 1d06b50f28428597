//! Appointments at the registry (issue 20), on either store (SQL written once, see
//! [`super::portable`] and [`super::checked`]): each platform's bookable services (capacity
//! per half hour, opening days and hours), holidays, and the free places of a day's slots.

use super::portable::Value;
use super::{Store, StoreError, now_text};
use crate::appointments::{self, Schedule, start_text};
use chrono::NaiveDate;
use serde::Serialize;

/// The schema (SQLite's dialect; PostgreSQL's through `pg::schema::dialect`).
pub const SCHEDULE_DDL: &str = "
CREATE TABLE schedules (
  platform_id TEXT NOT NULL REFERENCES platforms(id),
  service_id TEXT NOT NULL,
  capacity INTEGER NOT NULL,              -- bookings per half hour
  days TEXT NOT NULL,                     -- opening weekdays, 1 = Monday: 1,2,3,4,5
  opens TEXT NOT NULL,                    -- HH:MM, China Standard Time
  closes TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, service_id)
);
CREATE TABLE holidays (
  platform_id TEXT NOT NULL,              -- a platform, or '*' for every platform
  day TEXT NOT NULL,                      -- YYYY-MM-DD
  name TEXT NOT NULL,
  PRIMARY KEY (platform_id, day)
);
CREATE TABLE slot_counts (
  platform_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  slot TEXT NOT NULL,                     -- local start, YYYY-MM-DDTHH:MM
  booked INTEGER NOT NULL,
  PRIMARY KEY (platform_id, service_id, slot)
);
";

/// Every platform's holidays are under this platform id.
pub const ALL_PLATFORMS: &str = "*";

/// A holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// A platform, or `*`.
    pub platform_id: String,
    /// YYYY-MM-DD.
    pub day: String,
    /// E.g. 国庆节.
    pub name: String,
}

/// One slot of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Local start, YYYY-MM-DDTHH:MM.
    pub start: String,
    /// Bookings it takes.
    pub capacity: u32,
    /// Bookings made.
    pub booked: u32,
    /// Places left.
    pub free: u32,
}

/// A day of a service at a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// YYYY-MM-DD.
    pub day: String,
    /// Why there are no slots (`closed`, or the holiday's name), if there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// Its slots.
    pub slots: Vec<Slot>,
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

fn schedule_from(row: &[Value]) -> Schedule {
    Schedule {
        platform_id: row[0].text().to_string(),
        service_id: row[1].text().to_string(),
        capacity: row[2].int().clamp(0, i64::from(u32::MAX)) as u32,
        days: row[3]
            .text()
            .split(',')
            .filter_map(|d| d.parse().ok())
            .collect(),
        opens: row[4].text().to_string(),
        closes: row[5].text().to_string(),
    }
}

const SCHEDULE_COLUMNS: &str = "platform_id, service_id, capacity, days, opens, closes";

impl Store {
    /// Whether a platform exists; its region if so.
    pub async fn platform_region(&self, platform: &str) -> Result<Option<String>, StoreError> {
        let rows = self
            .rows(
                "SELECT region FROM platforms WHERE id = ?1",
                vec![platform.into()],
            )
            .await?;
        Ok(rows.into_iter().next().map(|r| r[0].text().to_string()))
    }

    /// Sets (or replaces) when a service of a platform takes appointments.
    pub async fn schedule_set(&self, s: &Schedule) -> Result<(), StoreError> {
        s.validate().map_err(|e| invalid(e.to_string()))?;
        if s.service_id.trim().is_empty() || s.service_id.len() > 64 {
            return Err(invalid("a service id is 1 to 64 characters"));
        }
        if self.platform_region(&s.platform_id).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "no platform {}",
                s.platform_id
            )));
        }
        self.exec_all(vec![(
            "INSERT INTO schedules (platform_id, service_id, capacity, days, opens, closes, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (platform_id, service_id) DO UPDATE SET capacity = excluded.capacity,
               days = excluded.days, opens = excluded.opens, closes = excluded.closes,
               updated_at = excluded.updated_at",
            vec![
                s.platform_id.clone().into(),
                s.service_id.clone().into(),
                i64::from(s.capacity).into(),
                appointments::days_text(&s.days).into(),
                s.opens.clone().into(),
                s.closes.clone().into(),
                now_text().into(),
            ],
        )])
        .await?;
        Ok(())
    }

    /// Stops taking appointments for a service (bookings made stay).
    pub async fn schedule_remove(&self, platform: &str, service: &str) -> Result<(), StoreError> {
        let n = self
            .exec_all(vec![(
                "DELETE FROM schedules WHERE platform_id = ?1 AND service_id = ?2",
                vec![platform.into(), service.into()],
            )])
            .await?;
        StoreError::unless_touched(n[0], || format!("no schedule for {service} at {platform}"))
    }

    /// Schedules, of one platform or all.
    pub async fn schedules(&self, platform: Option<&str>) -> Result<Vec<Schedule>, StoreError> {
        let rows = self
            .rows(
                "SELECT platform_id, service_id, capacity, days, opens, closes FROM schedules
                 WHERE (CAST(?1 AS TEXT) IS NULL OR platform_id = ?1) ORDER BY platform_id, service_id",
                vec![platform.map(str::to_string).into()],
            )
            .await?;
        Ok(rows.iter().map(|r| schedule_from(r)).collect())
    }

    /// One schedule.
    pub async fn schedule(
        &self,
        platform: &str,
        service: &str,
    ) -> Result<Option<Schedule>, StoreError> {
        let _ = SCHEDULE_COLUMNS;
        let rows = self
            .rows(
                "SELECT platform_id, service_id, capacity, days, opens, closes FROM schedules
                 WHERE platform_id = ?1 AND service_id = ?2",
                vec![platform.into(), service.into()],
            )
            .await?;
        Ok(rows.first().map(|r| schedule_from(r)))
    }

    /// Adds or renames a holiday (`platform` None: every platform).
    pub async fn holiday_add(
        &self,
        platform: Option<&str>,
        day: NaiveDate,
        name: &str,
    ) -> Result<(), StoreError> {
        let platform = platform.unwrap_or(ALL_PLATFORMS);
        if platform != ALL_PLATFORMS && self.platform_region(platform).await?.is_none() {
            return Err(StoreError::NotFound(format!("no platform {platform}")));
        }
        self.exec_all(vec![(
            "INSERT INTO holidays (platform_id, day, name) VALUES (?1, ?2, ?3)
             ON CONFLICT (platform_id, day) DO UPDATE SET name = excluded.name",
            vec![
                platform.into(),
                day.format("%Y-%m-%d").to_string().into(),
                name.into(),
            ],
        )])
        .await?;
        Ok(())
    }

    /// Removes a holiday.
    pub async fn holiday_remove(
        &self,
        platform: Option<&str>,
        day: NaiveDate,
    ) -> Result<(), StoreError> {
        let platform = platform.unwrap_or(ALL_PLATFORMS);
        let day = day.format("%Y-%m-%d").to_string();
        let n = self
            .exec_all(vec![(
                "DELETE FROM holidays WHERE platform_id = ?1 AND day = ?2",
                vec![platform.into(), day.clone().into()],
            )])
            .await?;
        StoreError::unless_touched(n[0], || format!("no holiday on {day} for {platform}"))
    }

    /// Holidays of a platform (its own and every platform's), from a day on.
    pub async fn holidays(
        &self,
        platform: Option<&str>,
        from: &str,
    ) -> Result<Vec<Holiday>, StoreError> {
        let rows = self
            .rows(
                "SELECT platform_id, day, name FROM holidays
                 WHERE (CAST(?1 AS TEXT) IS NULL OR platform_id = ?1 OR platform_id = '*') AND day >= ?2
                 ORDER BY day, platform_id",
                vec![platform.map(str::to_string).into(), from.into()],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Holiday {
                platform_id: r[0].text().to_string(),
                day: r[1].text().to_string(),
                name: r[2].text().to_string(),
            })
            .collect())
    }

    /// A holiday's name, if `day` is one at `platform`.
    pub async fn holiday_on(
        &self,
        platform: &str,
        day: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        let rows = self
            .rows(
                "SELECT name FROM holidays WHERE (platform_id = ?1 OR platform_id = '*') AND day = ?2
                 ORDER BY platform_id DESC",
                vec![platform.into(), day.format("%Y-%m-%d").to_string().into()],
            )
            .await?;
        Ok(rows.first().map(|r| r[0].text().to_string()))
    }

    /// The slots of a service at a platform on a day, with their free places.
    pub async fn day_slots(&self, schedule: &Schedule, day: NaiveDate) -> Result<Day, StoreError> {
        let day_text = day.format("%Y-%m-%d").to_string();
        if let Some(name) = self.holiday_on(&schedule.platform_id, day).await? {
            return Ok(Day {
                day: day_text,
                closed: Some(name),
                slots: Vec::new(),
            });
        }
        let starts = schedule.slots_on(day);
        if starts.is_empty() {
            return Ok(Day {
                day: day_text,
                closed: Some("closed".into()),
                slots: Vec::new(),
            });
        }
        let rows = self
            .rows(
                "SELECT slot, booked FROM slot_counts
                 WHERE platform_id = ?1 AND service_id = ?2 AND slot >= ?3 AND slot < ?4",
                vec![
                    schedule.platform_id.clone().into(),
                    schedule.service_id.clone().into(),
                    day_text.clone().into(),
                    format!("{day_text}U").into(),
                ],
            )
            .await?;
        let booked: std::collections::HashMap<String, i64> = rows
            .into_iter()
            .map(|r| (r[0].text().to_string(), r[1].int()))
            .collect();
        let slots = starts
            .into_iter()
            .map(|t| {
                let start = start_text(t);
                let taken = booked
                    .get(&start)
                    .copied()
                    .unwrap_or(0)
                    .clamp(0, u32::MAX.into()) as u32;
                Slot {
                    free: schedule.capacity.saturating_sub(taken),
                    capacity: schedule.capacity,
                    booked: taken,
                    start,
                }
            })
            .collect();
        Ok(Day {
            day: day_text,
            closed: None,
            slots,
        })
    }
}
