-- One row per sign-in. A token is valid only while its session row exists:
-- sign-out deletes the row, which revokes every token issued for it.
CREATE TABLE sessions (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed sign-ins per (normalised) email, shared by every app instance.
CREATE TABLE signin_failures (
    email     TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signin_failures_by_email ON signin_failures (email, failed_at);
