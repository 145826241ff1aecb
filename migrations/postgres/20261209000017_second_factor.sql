-- Two-step sign-in: a TOTP authenticator (RFC 6238) and single-use
-- recovery codes, the sign-in step between the password and the session,
-- and the instance's policy on who must have a second factor.

-- One authenticator per account. `confirmed_at` is NULL while it is being
-- set up (the key shown, no code entered yet): it guards nothing until a
-- code confirms it. `last_used_step` is the 30-second step of the last code
-- accepted; a code of that step or an earlier one is refused (RFC 6238
-- section 5.2: each code works once).
CREATE TABLE totp_authenticators (
    user_id        UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    confirmed_at   TIMESTAMPTZ,
    last_used_step BIGINT NOT NULL DEFAULT 0
);

-- Ten per account when the authenticator is confirmed; only each code's
-- SHA-256 is kept, and a code used is deleted.
CREATE TABLE recovery_codes (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in whose password was right, waiting for its second factor: the
-- browser holds the token in a cookie, an API client in its answer; only
-- its SHA-256 is kept. It lives 5 minutes and works once. `device_id` is
-- the trusted device the password was checked as, if any: the code is
-- checked on that device's budget and the session starts on it.
CREATE TABLE second_factor_challenges (
    token_hash      TEXT PRIMARY KEY NOT NULL,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id       UUID,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX second_factor_challenges_by_expiry ON second_factor_challenges (expires_at);

-- Who must have a second factor: nobody, administrators, or everyone.
ALTER TABLE instance_settings ADD COLUMN require_second_factor TEXT NOT NULL DEFAULT 'none'
    CHECK (require_second_factor IN ('none', 'admins', 'everyone'));
