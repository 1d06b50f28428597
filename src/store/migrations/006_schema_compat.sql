-- Which versions may still use this database (see `Store::open`): the number of migrations
-- a version must know. A migration that only adds (tables, nullable or defaulted columns,
-- indexes) leaves it, so that the version before an update can run on the database the new
-- one migrated when the update is rolled back; a migration that changes or drops what an
-- older version uses raises it to its own number.
CREATE TABLE schema_compat (readable_by INTEGER NOT NULL);
INSERT INTO schema_compat (readable_by) VALUES (6);
