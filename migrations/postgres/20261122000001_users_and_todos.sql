-- PostgreSQL schema; mirrors migrations/sqlite with native types.

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- Emails are unique whatever their case.
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));

CREATE TABLE todos (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    completed  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Every todo query is scoped to one user and lists newest first.
CREATE INDEX todos_by_user_newest ON todos (user_id, created_at DESC, id DESC);
