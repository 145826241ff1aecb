-- Imports being written. An import is written a few thousand todos per
-- transaction, so other users' writes wait for one batch, never for all of
-- it. Every row an import writes (its todos and the lists it makes) has an
-- id between first_id and last_id, so an import that fails, or whose
-- instance stopped mid-way, is removed whole: by the import itself, or by
-- the periodic sweep once it is abandoned or older than any import runs.
CREATE TABLE import_runs (
    id         UUID PRIMARY KEY NOT NULL,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    first_id   UUID NOT NULL,
    last_id    UUID NOT NULL,
    abandoned  BOOLEAN NOT NULL DEFAULT FALSE,
    started_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX import_runs_by_start ON import_runs (started_at);
