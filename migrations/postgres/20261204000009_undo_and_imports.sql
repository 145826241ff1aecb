-- Undo: what a delete removed (todos, a list) or moved (a list's todos to
-- the Inbox), kept per batch for the undo window, then purged in the
-- background (src/undo). Each batch belongs to one user; deleting the user
-- deletes their batches and everything in them. Mirrors migrations/sqlite.
CREATE TABLE undo_batches (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- What the message next to the Undo button says, e.g. 'Deleted “Milk”.'
    summary    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX undo_batches_by_expiry ON undo_batches (expires_at);
CREATE INDEX undo_batches_by_user ON undo_batches (user_id);

-- Todos as they were when deleted: every column but the owner's (the
-- batch's) and SQLite's row number.
CREATE TABLE deleted_todos (
    batch_id   UUID NOT NULL REFERENCES undo_batches (id) ON DELETE CASCADE,
    id         UUID NOT NULL,
    list_id    UUID NOT NULL,
    title      TEXT NOT NULL,
    notes      TEXT NOT NULL,
    completed  BOOLEAN NOT NULL,
    priority   SMALLINT NOT NULL,
    due_date   DATE,
    due_time   TIME,
    position   TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX deleted_todos_by_batch ON deleted_todos (batch_id);

CREATE TABLE deleted_lists (
    batch_id   UUID NOT NULL REFERENCES undo_batches (id) ON DELETE CASCADE,
    id         UUID NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    position   TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX deleted_lists_by_batch ON deleted_lists (batch_id);

-- Todos a deleted list's removal moved to the Inbox: where they were.
CREATE TABLE moved_todos (
    batch_id   UUID NOT NULL REFERENCES undo_batches (id) ON DELETE CASCADE,
    todo_id    UUID NOT NULL,
    list_id    UUID NOT NULL,
    position   TEXT COLLATE "C" NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX moved_todos_by_batch ON moved_todos (batch_id);

-- The outcome of an import made from the account page's form, which the
-- page it redirects to shows (its address carries only the report's id).
-- Purged with the undo batches, an hour after the import.
CREATE TABLE import_reports (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    succeeded  BOOLEAN NOT NULL,
    message    TEXT NOT NULL,
    -- One problem per line of text ("line 14: ..."), or empty.
    problems   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX import_reports_by_age ON import_reports (created_at);
