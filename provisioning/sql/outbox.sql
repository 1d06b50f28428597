-- The terminal's outbox: everything owed to the operations centre, written in the same
-- transaction as the change it reports, deleted only once the registry has acknowledged it.
-- Shared by the firmware's migrations and this crate's reference store: one definition.
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
