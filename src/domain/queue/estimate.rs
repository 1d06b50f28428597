//! Waiting estimates: a range of minutes from the recent service times of a service and the
//! counters that serve it. Shown as a range and as a guide, never as a promise.
//!
//! Model: with `c` counters busy, a ticket with `p` people ahead is called at the `p + 1`-th
//! completion (fewer when counters are idle). Completions come every `mean / c` on average,
//! so the wait has mean `k · mean / c` and spread `√k · sd / c` for `k` completions; the range
//! is the mean ± 1.28 spreads (about 80 % of waits if service times were normal), widened to
//! whole minutes. A counter serving several services with people waiting counts for each of
//! them in equal shares.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::policy::{CounterDef, Policy};
use super::state::TicketState;

/// A waiting time range, in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitEstimate {
    pub low_minutes: u32,
    pub high_minutes: u32,
}

impl WaitEstimate {
    /// Whether a wait of `minutes` falls in the range.
    pub fn contains(&self, minutes: f64) -> bool {
        minutes >= f64::from(self.low_minutes) && minutes <= f64::from(self.high_minutes)
    }

    /// As printed on the ticket: `约 10-20 分钟` (an ASCII hyphen: every printer has it).
    pub fn text_zh(&self) -> String {
        format!("约 {}-{} 分钟", self.low_minutes, self.high_minutes)
    }
}

/// Recent service times of one service, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTimes {
    pub mean_secs: f64,
    pub sd_secs: f64,
    /// Measured times the figures rest on (0: the policy's default only).
    pub samples: usize,
}

/// How many default-valued samples temper the first real ones.
const PRIOR_WEIGHT: f64 = 3.0;
/// Half-width of the range in standard deviations (≈ 80 % two-sided).
const Z: f64 = 1.28;

/// The last `policy.estimate_window` service times of `service_id` (counter time from the
/// first call to finishing), blended with the policy's default while there are few.
pub fn service_times(
    conn: &Connection,
    policy: &Policy,
    service_id: &str,
) -> rusqlite::Result<ServiceTimes> {
    let mut stmt = conn.prepare_cached(
        "SELECT (julianday(finished_at) - julianday(COALESCE(first_called_at, started_at))) * 86400.0
         FROM tickets
         WHERE state = ?3 AND queue_service = ?1 AND finished_at IS NOT NULL
           AND COALESCE(first_called_at, started_at) IS NOT NULL
         ORDER BY finished_at DESC LIMIT ?2",
    )?;
    let samples: Vec<f64> = stmt
        .query_map(
            params![service_id, policy.estimate_window, TicketState::Done],
            |r| r.get::<_, Option<f64>>(0),
        )?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<Vec<f64>>>()?
        .into_iter()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .collect();
    Ok(blend(
        f64::from(policy.default_service_minutes) * 60.0,
        &samples,
    ))
}

/// Mean and spread of `samples`, tempered by `PRIOR_WEIGHT` samples of `default_secs` (whose
/// spread is taken equal to the mean, as for exponential service times).
fn blend(default_secs: f64, samples: &[f64]) -> ServiceTimes {
    let n = samples.len() as f64;
    let sum: f64 = samples.iter().sum();
    let mean = (sum + PRIOR_WEIGHT * default_secs) / (n + PRIOR_WEIGHT);
    let prior_var = default_secs * default_secs;
    let sq: f64 = samples.iter().map(|s| (s - mean) * (s - mean)).sum();
    let var = (sq + PRIOR_WEIGHT * prior_var) / (n + PRIOR_WEIGHT);
    ServiceTimes {
        mean_secs: mean,
        sd_secs: var.sqrt(),
        samples: samples.len(),
    }
}

/// What the estimate needs to know about the counters that serve a service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capacity {
    /// Counters working for the service, in equal shares of counters that serve several
    /// services with people waiting.
    pub counters: f64,
    /// Open counters of the service with nobody at them right now.
    pub idle: u32,
}

/// The range for a ticket with `people_ahead` in a service with `times` and `capacity`.
/// `None` when no counter serves the service.
pub fn estimate(
    people_ahead: u32,
    times: ServiceTimes,
    capacity: Capacity,
) -> Option<WaitEstimate> {
    if capacity.counters <= 0.0 {
        return None;
    }
    let completions = f64::from(people_ahead) + 1.0 - f64::from(capacity.idle);
    if completions <= 0.0 {
        return Some(WaitEstimate {
            low_minutes: 0,
            high_minutes: 5,
        });
    }
    let mean = completions * times.mean_secs / capacity.counters;
    let spread = completions.sqrt() * times.sd_secs / capacity.counters;
    let low = ((mean - Z * spread).max(0.0) / 60.0).floor();
    let high = ((mean + Z * spread) / 60.0).ceil();
    Some(round_range(low as u32, high as u32))
}

/// Whole minutes under half an hour, fives above; at least five minutes wide.
fn round_range(low: u32, high: u32) -> WaitEstimate {
    let (mut low, mut high) = (low, high.max(1));
    if high > 30 {
        low -= low % 5;
        high = high.div_ceil(5) * 5;
    }
    if high < low + 5 {
        high = low + 5;
    }
    WaitEstimate {
        low_minutes: low,
        high_minutes: high,
    }
}

/// The capacity for `service_id` today: the open, unpaused counters serving it (or, before
/// any counter opened, every configured counter serving it).
pub fn capacity(
    conn: &Connection,
    policy: &Policy,
    service_id: &str,
    day: &str,
) -> rusqlite::Result<Capacity> {
    let counters = policy.counters();
    let mut open_stmt =
        conn.prepare_cached("SELECT id FROM queue_counters WHERE open = 1 AND paused = 0")?;
    let open: Vec<String> = open_stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut busy_stmt = conn.prepare_cached(
        "SELECT DISTINCT counter_id FROM tickets
         WHERE service_day = ?1 AND state IN (?2, ?3) AND counter_id IS NOT NULL",
    )?;
    let [called, serving] = TicketState::AT_COUNTER;
    let busy: Vec<String> = busy_stmt
        .query_map(params![day, called, serving], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut waiting_stmt = conn.prepare_cached(
        "SELECT DISTINCT queue_service FROM tickets WHERE service_day = ?1 AND state = ?2",
    )?;
    let waiting: Vec<String> = waiting_stmt
        .query_map(params![day, TicketState::Waiting], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;

    let serving: Vec<&CounterDef> = counters.iter().filter(|c| c.serves(service_id)).collect();
    let working: Vec<&CounterDef> = if serving.iter().any(|c| open.contains(&c.id)) {
        serving
            .into_iter()
            .filter(|c| open.contains(&c.id))
            .collect()
    } else {
        serving
    };
    let share = |c: &CounterDef| {
        let others = waiting
            .iter()
            .filter(|s| s.as_str() != service_id && c.serves(s))
            .count();
        1.0 / (1.0 + others as f64)
    };
    Ok(Capacity {
        counters: working.iter().map(|c| share(c)).sum(),
        idle: working
            .iter()
            .filter(|c| open.contains(&c.id) && !busy.contains(&c.id))
            .count() as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(mean_min: f64, sd_min: f64) -> ServiceTimes {
        ServiceTimes {
            mean_secs: mean_min * 60.0,
            sd_secs: sd_min * 60.0,
            samples: 20,
        }
    }

    #[test]
    fn more_people_ahead_means_a_later_range_and_more_counters_an_earlier_one() {
        let one = Capacity {
            counters: 1.0,
            idle: 0,
        };
        let two = Capacity {
            counters: 2.0,
            idle: 0,
        };
        let a = estimate(2, times(10.0, 5.0), one).unwrap();
        let b = estimate(6, times(10.0, 5.0), one).unwrap();
        let c = estimate(6, times(10.0, 5.0), two).unwrap();
        assert!(
            a.high_minutes < b.high_minutes && a.low_minutes < b.low_minutes,
            "{a:?} {b:?}"
        );
        assert!(c.high_minutes < b.high_minutes, "{c:?} {b:?}");
        // 7 services of 10 ± 5 minutes at one counter: about 70 minutes.
        assert!(b.contains(70.0), "{b:?}");
        assert_eq!(b.low_minutes % 5, 0, "long waits in fives: {b:?}");
    }

    #[test]
    fn an_idle_counter_with_nobody_ahead_means_soon() {
        let e = estimate(
            0,
            times(10.0, 5.0),
            Capacity {
                counters: 2.0,
                idle: 1,
            },
        )
        .unwrap();
        assert_eq!(
            e,
            WaitEstimate {
                low_minutes: 0,
                high_minutes: 5
            }
        );
        assert_eq!(e.text_zh(), "约 0-5 分钟");
    }

    #[test]
    fn no_counter_serving_the_service_means_no_estimate() {
        let none = Capacity {
            counters: 0.0,
            idle: 0,
        };
        assert_eq!(estimate(3, times(10.0, 5.0), none), None);
    }

    #[test]
    fn the_default_tempers_the_first_measurements() {
        let t = blend(600.0, &[60.0]);
        assert!(t.mean_secs > 400.0 && t.mean_secs < 600.0, "{t:?}");
        let many: Vec<f64> = vec![60.0; 50];
        let t = blend(600.0, &many);
        assert!(t.mean_secs < 100.0, "measurements win: {t:?}");
    }
}
