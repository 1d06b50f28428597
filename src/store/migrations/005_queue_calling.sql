-- Calling at the counters. A ticket keeps the service that numbered it (`service_id`, part of
-- the unique number) and sits in the queue of `queue_service` (different after a transfer).
-- Its place in any queue is the time it was taken (`issued_ms`), so a transfer keeps it.
ALTER TABLE tickets ADD COLUMN queue_service TEXT;
ALTER TABLE tickets ADD COLUMN issued_ms INTEGER;
UPDATE tickets SET queue_service = service_id,
                   issued_ms = CAST(ROUND((julianday(issued_at) - 2440587.5) * 86400000) AS INTEGER);
ALTER TABLE tickets ADD COLUMN counter_id TEXT;          -- the counter that called it last
ALTER TABLE tickets ADD COLUMN first_called_at TEXT;     -- for waiting times (statistics)
ALTER TABLE tickets ADD COLUMN called_at TEXT;           -- the latest call or recall
ALTER TABLE tickets ADD COLUMN started_at TEXT;
ALTER TABLE tickets ADD COLUMN finished_at TEXT;
ALTER TABLE tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;
-- How many higher-priority tickets taken later were called before this one while it waited
-- (the anti-starvation rule calls it once this reaches the policy's bound; counted up to the
-- bound only).
ALTER TABLE tickets ADD COLUMN passed_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN transferred_from TEXT;
-- NULL: issued by this terminal for itself; `client`: issued here for a client terminal;
-- `offline`: issued by this (client) terminal from its reserved range while the host was
-- unreachable, `synced_at` set once the host has it.
ALTER TABLE tickets ADD COLUMN origin TEXT;
ALTER TABLE tickets ADD COLUMN synced_at TEXT;
-- Why a ticket was closed without being served, e.g. `day_end`.
ALTER TABLE tickets ADD COLUMN closed_reason TEXT;
CREATE INDEX tickets_queue ON tickets (service_day, state, queue_service, issued_ms);
CREATE INDEX tickets_served ON tickets (queue_service, finished_at) WHERE state = 'done';
CREATE INDEX tickets_offline ON tickets (origin, synced_at) WHERE origin = 'offline';

-- What each counter (window) is doing; the counters themselves come from the queue policy.
CREATE TABLE queue_counters (
    id            TEXT    PRIMARY KEY,
    open          INTEGER NOT NULL DEFAULT 0,   -- a member of staff chose this counter
    paused        INTEGER NOT NULL DEFAULT 0,
    staff         TEXT,                         -- who opened it (account name)
    last_priority INTEGER NOT NULL DEFAULT 0,   -- its last call was a priority ticket
    updated_at    TEXT    NOT NULL
);

-- Days the queue has been opened, and closed once a later day began (the daily reset; a day
-- is closed once, so the reset is idempotent). Tickets are never deleted: history stays.
CREATE TABLE queue_days (
    service_day TEXT PRIMARY KEY,
    opened_at   TEXT,
    closed_at   TEXT
);
