-- Passkeys (WebAuthn): an account's registered credentials, and the
-- ceremonies between their two requests.

-- One row per credential. `credential_id` is the authenticator's id for it
-- (base64url), unique across accounts; `passkey` is the public key, its
-- algorithm and signature counter as webauthn-rs keeps them (JSON).
-- The WebAuthn user handle of every passkey is the account's id.
CREATE TABLE passkeys (
    id            BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A registration or a sign-in with a passkey between its start (the
-- options sent to the browser) and its end (the browser's answer): the
-- challenge and what it allows, as webauthn-rs keeps them (JSON). The
-- client holds a random token; only its SHA-256 is kept. It lives 5
-- minutes and works once. `user_id` is NULL for a sign-in that does not
-- yet know whose passkey will answer.
CREATE TABLE passkey_ceremonies (
    token_hash TEXT PRIMARY KEY NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in')),
    user_id    BLOB REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);

-- A sign-in's second step finished with a passkey: the ceremony's state,
-- set when the browser or client asks for the passkey options.
ALTER TABLE second_factor_challenges ADD COLUMN passkey_state TEXT;
