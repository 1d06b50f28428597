-- Queue tickets. A number belongs to a service, a local day and a numbering series (staff may
-- restart the day's numbering); the UNIQUE constraint makes a duplicate number impossible.
CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,   -- random; the only thing the ticket's QR code carries
    service_id  TEXT    NOT NULL,
    service_day TEXT    NOT NULL,          -- local date YYYY-MM-DD
    series      INTEGER NOT NULL DEFAULT 0,
    seq         INTEGER NOT NULL,
    number      TEXT    NOT NULL,          -- prefix and sequence, e.g. A012
    issued_at   TEXT    NOT NULL,          -- RFC 3339 with the local offset
    state       TEXT    NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'called', 'serving', 'done', 'no_show', 'cancelled')),
    -- Identity minimised by the session: never a full ID number or a name.
    masked_id   TEXT,
    id_hash     TEXT,
    age_band    TEXT,
    priority    TEXT,                      -- NULL, or the priority group (e.g. 'elderly')
    print_state TEXT    NOT NULL DEFAULT 'pending'
                CHECK (print_state IN ('pending', 'printed', 'failed', 'screen_only')),
    print_error TEXT,
    UNIQUE (service_day, service_id, series, seq)
);
CREATE INDEX tickets_by_day_service_state ON tickets (service_day, service_id, state);
CREATE INDEX tickets_by_person ON tickets (id_hash, service_day) WHERE id_hash IS NOT NULL;
