//! The registry's schema, applied at open.

use rusqlite_migration::{M, Migrations};

use super::tables;

/// Generated from the rollup tables' keys (see `stats::sqlite_v2`).
static STATS_V2: std::sync::LazyLock<String> = std::sync::LazyLock::new(super::stats::sqlite_v2);

/// Every schema version, oldest first.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(tables::CORE),
        // Video calls: lawyers' logins and the ICE servers handed to both peers.
        M::up(tables::VIDEO),
        // Video calls: TURN servers with time-limited credentials (coturn's use-auth-secret):
        // the shared secret, and how long each minted credential lasts.
        M::up(tables::TURN),
        // Legal-aid pre-applications are sealed to the centre that handles them: the centres'
        // public keys, published to terminals as a signed bundle. (The pre-applications
        // themselves are events: ciphertext and routing fields only.)
        M::up(tables::LEGAL_AID_KEYS),
        // Enrolment codes are now stored as HMAC-SHA256 under a key kept outside the database
        // (`code_key`): codes not used yet, hashed the old way, could never match again.
        M::up(tables::FORGET_OLD_CODES),
        // The operations centre's console: accounts with a role and regions, their sessions
        // (in the database, like PostgreSQL's), the audit of what they did, and alerts
        // (at most one open per terminal and kind), each terminal's changes of state.
        M::up(tables::OPERATORS),
        // The directory of platforms (their level, coordinates, phone, hours, services) and
        // institutions, for the console.
        M::up(super::directory::DDL),
        // Software updates: signed releases (the package in chunks, streamed to terminals),
        // staged rollouts, and each terminal's reported update state.
        M::up(tables::UPDATES),
        // Appointments (issue 20): each platform's bookable services (capacity per half
        // hour, opening days and hours), holidays, and the places booked per slot.
        M::up(super::appointments::SCHEDULE_DDL),
        // Appointments: booking channels (their keys' hashes), the regions' keys for ID
        // numbers' hashes, and bookings (masked name, keyed hash, phone, code).
        M::up(super::bookings::DDL),
        // Work orders: made from terminals' `work_order` events, dispatched to institutions
        // or people, with a history of every change; the centre's classification; which
        // institution each institution login belongs to.
        M::up(super::work_orders::DDL),
        // Demand analysis: rollups of the events by day × hour × platform × metric, by day,
        // and by day × terminal, kept at ingest. Events stored before this version are
        // counted by `kiosk-registry stats rebuild` (run once after the upgrade).
        M::up(super::stats::DDL),
        // Institutions for the `institutions` bundle (issue 19): kind, names in Korean and
        // English, hours note, free services, wheelchair access.
        M::up(super::institutions::DDL),
        // The offline map (issue 19): published MBTiles files in chunks, named by SHA-256,
        // downloaded with `Range` beside the `map` bundle that names them.
        M::up(super::maps::DDL),
        // Demand analysis at a province-year's size: the rollup tables clustered by their
        // key, and a keyless day × region table for the trends.
        M::up(STATS_V2.as_str()),
        // Work orders found by the receipt printed for the citizen (its QR code).
        M::up(super::work_orders::RECEIPT_INDEX),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
