-- Signed bundles from the operations centre in force, per stream, with their files. A newer
-- bundle replaces an older one inside one transaction: a crash leaves either in force.
-- Shared by the firmware's migrations and this crate's reference store: one definition.
CREATE TABLE IF NOT EXISTS bundles (
    stream     TEXT    PRIMARY KEY,
    version    INTEGER NOT NULL,
    manifest   TEXT    NOT NULL,   -- the signed manifest text, for provenance
    applied_at TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS bundle_files (
    stream  TEXT NOT NULL,
    name    TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (stream, name)
);

-- Commands from the operations centre, carried out at most once each.
CREATE TABLE IF NOT EXISTS commands_done (
    command_id  TEXT PRIMARY KEY,
    action      TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT,
    executed_at TEXT NOT NULL
);
