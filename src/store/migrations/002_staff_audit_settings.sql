-- Staff accounts for the maintenance menu. The PIN is kept only as an Argon2id PHC string.
CREATE TABLE staff_accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('staff', 'installer')),
    pin_hash      TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    pin_set_at    TEXT    NOT NULL,
    last_login_at TEXT
);

-- Wrong PINs and the lockout they cause, one row for the terminal, so that a restart does not
-- give an attacker five fresh tries.
CREATE TABLE staff_lockout (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    failures     INTEGER NOT NULL DEFAULT 0,  -- wrong PINs since the last lock or login
    lockouts     INTEGER NOT NULL DEFAULT 0,  -- locks since the last good login (the lock grows)
    locked_at    TEXT,
    locked_until TEXT
);
INSERT INTO staff_lockout (id) VALUES (1);

-- Every staff action, including failed logins. Never a PIN. Also sent as `audit` outbox events.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,   -- staff name, `console:<user>`, `configuration`, `operations-centre`
    action  TEXT NOT NULL,   -- e.g. login.failed, printer.test_print, queue.reset_numbering
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    detail  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- Settings staff change on the terminal (default language, large text, idle timeout,
-- out of service), overriding the configuration file.
CREATE TABLE kiosk_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL,
    set_at TEXT NOT NULL,
    set_by TEXT NOT NULL
);

-- Staff restarted a day's numbering: tickets after this use this series, so numbers start at
-- 001 again while the UNIQUE (service_day, service_id, series, seq) of tickets still holds.
CREATE TABLE numbering_series (
    service_day TEXT PRIMARY KEY,
    series      INTEGER NOT NULL
);
