-- Personal API tokens, for scripts: `Authorization: Bearer tw_pat_...` on
-- /api/v1. Only the token's SHA-256 is kept, and its first characters for
-- the owner to recognise it. `scope` is `read` (GET only) or `write`.
CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash    TEXT NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    -- Written at most every few minutes, not on every request.
    last_used_at  TEXT,
    -- NULL: until deleted (or ended with the account's sessions).
    expires_at    TEXT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
