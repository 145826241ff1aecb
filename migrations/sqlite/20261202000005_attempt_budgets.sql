-- Attempts counted per key (an address, an account, a device) in fixed
-- windows, where every app instance sees them: one indexed upsert per
-- attempt. Rows whose window has ended are pruned in the background.
CREATE TABLE attempt_counters (
    key        TEXT PRIMARY KEY NOT NULL,
    count      INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX attempt_counters_by_expiry ON attempt_counters (expires_at);

-- Replaced by the 'account:<email>' counters.
DROP TABLE signin_failures;

-- When failed sign-ins last locked the account, to tell its owner.
ALTER TABLE users ADD COLUMN locked_at TEXT;

CREATE INDEX sessions_by_expiry ON sessions (expires_at);
