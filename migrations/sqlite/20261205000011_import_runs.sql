-- Imports being written. An import is written a few thousand todos per
-- transaction, so other users' writes wait for one batch, never for all of
-- it. Every row an import writes (its todos and the lists it makes) has an
-- id between first_id and last_id, so an import that fails, or whose
-- instance stopped mid-way, is removed whole: by the import itself, or by
-- the periodic sweep once it is abandoned or older than any import runs.
CREATE TABLE import_runs (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    first_id   BLOB NOT NULL,
    last_id    BLOB NOT NULL,
    abandoned  INTEGER NOT NULL DEFAULT 0 CHECK (abandoned IN (0, 1)),
    started_at TEXT NOT NULL
);
CREATE INDEX import_runs_by_start ON import_runs (started_at);
