-- Outbound mail. A mail is written here in the same transaction as the
-- change that causes it, then delivered by the worker every instance runs
-- (src/mail/worker.rs). A worker claims a mail by setting `locked_until`;
-- another instance's worker skips it until then.
CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    recipient       TEXT NOT NULL,
    -- What it is about: test, password_reset, ... (src/mail/mod.rs).
    kind            TEXT NOT NULL,
    -- The account it is about, while that account exists.
    user_id         UUID REFERENCES users (id) ON DELETE SET NULL,
    subject         TEXT NOT NULL,
    -- Emptied once the mail is sent or has failed: its links may be secrets.
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    -- queued: to send; sent; failed: refused for good; kept: no relay is
    -- configured (development), shown at /dev/mail instead.
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'kept')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- The relay's last answer (or why it could not be reached).
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX mail_outbox_newest ON mail_outbox (created_at DESC, id DESC);
