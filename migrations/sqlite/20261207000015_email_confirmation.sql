-- Email addresses proven by following a link. `email_verified_at` is NULL
-- until the account's current address is confirmed (accounts made before
-- this migration included: nothing proved their address).
ALTER TABLE users ADD COLUMN email_verified_at TEXT;

-- Whether todos and lists wait until the address is confirmed (0: no).
ALTER TABLE instance_settings ADD COLUMN require_verified_email INTEGER NOT NULL DEFAULT 0
    CHECK (require_verified_email IN (0, 1));

-- Confirmation links: `verify` confirms the account's address, `change`
-- the new address it moves to. Single use, only the token's SHA-256 kept;
-- an account has at most one of each kind (a newer link replaces it).
CREATE TABLE email_confirmations (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('verify', 'change')),
    -- The address the link proves (as parsed: lower case).
    email       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    UNIQUE (user_id, kind)
);
