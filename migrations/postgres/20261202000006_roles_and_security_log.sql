-- Roles, disabled accounts, what sessions were started from, and the
-- security log.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin'));
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
ALTER TABLE users ADD COLUMN disabled_until TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMPTZ;
CREATE INDEX users_by_role ON users (role);

ALTER TABLE sessions ADD COLUMN last_used_at TIMESTAMPTZ;
UPDATE sessions SET last_used_at = created_at;
ALTER TABLE sessions ADD COLUMN client_address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';

-- Append-only. No foreign keys: the log outlives the accounts it names.
CREATE TABLE security_events (
    id             UUID PRIMARY KEY,
    occurred_at    TIMESTAMPTZ NOT NULL,
    kind           TEXT NOT NULL,
    user_id        UUID,
    email          TEXT,
    actor_id       UUID,
    client_address TEXT NOT NULL,
    device         TEXT NOT NULL,
    session_id     UUID,
    detail         TEXT NOT NULL
);
CREATE INDEX security_events_newest ON security_events (occurred_at DESC, id DESC);
CREATE INDEX security_events_by_user ON security_events (user_id, occurred_at DESC, id DESC);
CREATE INDEX security_events_by_kind ON security_events (kind, occurred_at DESC, id DESC);
