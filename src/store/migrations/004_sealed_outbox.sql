-- Personal payloads owed to the operations centre (a legal-aid pre-application the citizen
-- consented to): encrypted, one per outbox row, deleted with the row once the registry has
-- acknowledged it. The outbox row itself holds only an anonymous stub.
CREATE TABLE outbox_sealed (
    seq        INTEGER PRIMARY KEY REFERENCES outbox (seq) ON DELETE CASCADE,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL
);
