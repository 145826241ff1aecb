-- Devices that have signed in to an account (OWASP's device cookies). A
-- device token counts for its own password-check budget only while its row
-- exists: a password change and signing out everywhere delete the rows, the
-- account's deletion cascades, and an account keeps only its most recently
-- used few (MAX_TRUSTED_DEVICES), so tokens minted by someone who once had
-- access cannot multiply the budget.
CREATE TABLE trusted_devices (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_used_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trusted_devices_by_user ON trusted_devices (user_id, last_used_at);
