-- Who may make an account: the instance's sign-up policy (one row), and the
-- invitations administrators hand out.
CREATE TABLE instance_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    signup_mode          TEXT NOT NULL DEFAULT 'open' CHECK (signup_mode IN ('open', 'invite', 'closed')),
    -- Lower-case domains separated by single spaces; empty: any domain.
    signup_email_domains TEXT NOT NULL DEFAULT '',
    -- NULL until an administrator first changes it.
    updated_at           TIMESTAMPTZ
);
INSERT INTO instance_settings (id) VALUES (1);

-- An invitation's token is shown once, in its link; only its SHA-256 is kept.
CREATE TABLE invitations (
    id          UUID PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    -- The only address that may use it (as parsed: lower case), if bound.
    email       TEXT,
    role        TEXT NOT NULL CHECK (role IN ('user', 'admin')),
    uses_left   BIGINT NOT NULL CHECK (uses_left >= 0),
    uses        BIGINT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    -- NULL when made on the command line; kept when its maker is deleted.
    created_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX invitations_newest ON invitations (created_at DESC, id DESC);
