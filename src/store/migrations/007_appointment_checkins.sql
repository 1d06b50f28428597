-- Check-ins of appointments at this terminal (issue 20): one per booking code, so the same
-- booking cannot check in twice, offline too. Holds the booking code, never the citizen's
-- hash, name or number.
CREATE TABLE appointment_checkins (
    code TEXT PRIMARY KEY,
    service_id TEXT NOT NULL,
    slot TEXT NOT NULL,
    ticket_number TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    checked_in_at TEXT NOT NULL
);
-- Bookings of the day whose window passed without a check-in, reported once.
CREATE TABLE appointment_missed (
    code TEXT PRIMARY KEY,
    slot TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
