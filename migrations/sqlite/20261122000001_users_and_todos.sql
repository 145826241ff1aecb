-- SQLite schema. UUIDs are stored as 16-byte BLOBs and timestamps as
-- RFC 3339 text, which is how sqlx encodes `Uuid` and `DateTime<Utc>` here.

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Emails are unique whatever their case.
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));

CREATE TABLE todos (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    completed  INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every todo query is scoped to one user and lists newest first.
CREATE INDEX todos_by_user_newest ON todos (user_id, created_at DESC, id DESC);
