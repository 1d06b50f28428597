//! The tables both stores create, written once in SQLite's dialect. PostgreSQL applies the
//! same text through `pg::schema::dialect` (BIGINT integers, identity ids, BYTEA), so a
//! table the two stores share cannot drift apart.

/// The first schema: platforms, enrolment codes, terminals, bundles, events, commands, signing keys.
pub const CORE: &str = "
CREATE TABLE platforms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE TABLE enrolment_codes (
  code_hash TEXT PRIMARY KEY,           -- SHA-256 of the normalised code; the code itself is not kept
  platform_id TEXT NOT NULL REFERENCES platforms(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by TEXT
);
CREATE TABLE terminals (
  device_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL UNIQUE,
  platform_id TEXT NOT NULL REFERENCES platforms(id),
  hardware_serial TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',  -- active | revoked
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  last_seen TEXT,
  app_version TEXT,
  heartbeat TEXT                          -- the last heartbeat, JSON
);
CREATE TABLE bundles (
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  scope TEXT NOT NULL,                    -- JSON of provisioning::scope::Scope
  payload_size INTEGER NOT NULL,
  expires_at TEXT NOT NULL,
  published_at TEXT NOT NULL,
  signed_by TEXT NOT NULL,
  body TEXT NOT NULL,                     -- the SignedBundle, JSON
  PRIMARY KEY (stream, version)
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  platform_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  UNIQUE (device_id, idempotency_key)
);
CREATE INDEX events_kind ON events (kind, platform_id);
CREATE TABLE events_quarantine (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  raw TEXT NOT NULL,
  reason TEXT NOT NULL,
  received_at TEXT NOT NULL,
  UNIQUE (device_id, seq, idempotency_key)
);
CREATE TABLE commands (
  command_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  action TEXT NOT NULL,
  body TEXT NOT NULL,                     -- the SignedCommand, JSON
  issued_at TEXT NOT NULL,
  not_after TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | received | proceeding | succeeded | failed | rejected
  detail TEXT,
  updated_at TEXT NOT NULL,
  logs TEXT
);
CREATE INDEX commands_device ON commands (device_id, state);
CREATE TABLE signing_keys (
  public_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
";

/// Video calls: lawyers' logins and the ICE servers handed to both peers.
pub const VIDEO: &str = "
CREATE TABLE lawyers (
  username TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  regions TEXT NOT NULL,                  -- JSON array of region codes served
  password_hash TEXT NOT NULL,            -- Argon2id, PHC string
  status TEXT NOT NULL DEFAULT 'active',  -- active | disabled
  created_at TEXT NOT NULL
);
CREATE TABLE ice_servers (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL DEFAULT '',
  credential TEXT NOT NULL DEFAULT ''
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
";

/// TURN servers with time-limited credentials (coturn's use-auth-secret): the shared secret, and how long each minted credential lasts.
pub const TURN: &str = "
ALTER TABLE ice_servers ADD COLUMN rest_secret TEXT;
ALTER TABLE ice_servers ADD COLUMN rest_ttl_s INTEGER;
";

/// Legal-aid centres' public keys, published to terminals as a signed bundle.
pub const LEGAL_AID_KEYS: &str = "
CREATE TABLE legal_aid_recipients (
  key_id TEXT PRIMARY KEY,
  region TEXT NOT NULL,
  centre TEXT NOT NULL,
  public_key TEXT NOT NULL UNIQUE,         -- X25519, base64; the private key stays at the centre
  added_at TEXT NOT NULL,
  retired_at TEXT
);
";

/// Enrolment codes are now stored as HMAC-SHA256 under a key kept outside the database (`code_key`): codes not used yet, hashed the old way, could never match again.
pub const FORGET_OLD_CODES: &str = "DELETE FROM enrolment_codes WHERE used_at IS NULL;";

/// Software updates: signed releases (the package in chunks, streamed to terminals), staged rollouts, and each terminal's reported update state.
pub const UPDATES: &str = "
CREATE TABLE releases (
  version TEXT PRIMARY KEY,                -- Debian version of the kiosk package
  package TEXT NOT NULL,
  architecture TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  signed_by TEXT NOT NULL,
  body TEXT NOT NULL,                      -- the SignedRelease, JSON
  published_at TEXT NOT NULL
);
CREATE TABLE release_chunks (
  version TEXT NOT NULL REFERENCES releases(version),
  idx INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (version, idx)
);
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY,
  release_version TEXT NOT NULL REFERENCES releases(version),
  stages TEXT NOT NULL,                    -- JSON array of stage selectors
  success_threshold INTEGER NOT NULL,      -- % healthy that starts the next stage
  error_threshold INTEGER NOT NULL,        -- % failed or rolled back that pauses
  max_bytes_per_s INTEGER NOT NULL,        -- download hint to terminals, 0: none
  state TEXT NOT NULL,                     -- running | paused | cancelled | completed
  current_stage INTEGER NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE terminal_updates (
  device_id TEXT PRIMARY KEY REFERENCES terminals(device_id),
  version TEXT NOT NULL,
  state TEXT NOT NULL,                     -- provisioning::protocol::UpdateState
  detail TEXT,
  updated_at TEXT NOT NULL
);
";

/// The console's accounts, their sessions (in the database), the audit of what they did,
/// alerts (at most one open per terminal and kind) and each terminal's changes of state.
pub const OPERATORS: &str = "
CREATE TABLE operators (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,                     -- admin | operator | viewer | institution
  regions TEXT NOT NULL,                  -- JSON array of region codes in scope
  password_hash TEXT NOT NULL,            -- Argon2id, PHC string
  status TEXT NOT NULL DEFAULT 'active',  -- active | disabled
  created_at TEXT NOT NULL
);
CREATE TABLE operator_sessions (
  token_hash TEXT PRIMARY KEY,            -- SHA-256 of the cookie's token
  username TEXT NOT NULL,
  expires_at INTEGER NOT NULL             -- Unix seconds
);
CREATE INDEX operator_sessions_user ON operator_sessions (username);
CREATE TABLE operator_audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  username TEXT NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  acknowledged_at TEXT,
  acknowledged_by TEXT,
  cleared_at TEXT
);
CREATE UNIQUE INDEX alerts_open ON alerts (device_id, kind) WHERE cleared_at IS NULL;
CREATE TABLE terminal_states (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  signature TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX terminal_states_device ON terminal_states (device_id, id);
";
