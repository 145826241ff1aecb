-- Reminders: when a todo reminds its owner, and what became of each one.
--
-- A todo's reminders are minutes before its due time ("0,60": at the due
-- time and an hour before; NULL: none). For a todo due on a day without a
-- time, they count back from the owner's reminder time of day.
ALTER TABLE todos ADD COLUMN reminders TEXT;
ALTER TABLE deleted_todos ADD COLUMN reminders TEXT;

-- A user's channels and defaults (a missing row reads as the defaults).
CREATE TABLE reminder_settings (
    user_id         UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_enabled   BOOLEAN NOT NULL DEFAULT TRUE,
    push_enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    -- When a todo due on a day (no time) reminds: minutes after midnight.
    day_minutes     INTEGER NOT NULL DEFAULT 540 CHECK (day_minutes BETWEEN 0 AND 1439),
    -- The reminder a new todo gets, in minutes before; NULL: none.
    default_before  INTEGER CHECK (default_before BETWEEN 0 AND 40320)
);

-- The instants reminders fall due, one row per reminder of an open todo
-- with a due date, kept in step by src/todos/store.rs in the transaction
-- that changes the todo (src/reminders/schedule.rs works the instants
-- out). A worker claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL)
-- and marks them fired in the transaction that queues their deliveries,
-- so each fires once however many instances share the database. Deleting
-- the todo deletes them; completing it or moving its date replaces them.
CREATE TABLE reminder_schedule (
    id              BIGSERIAL PRIMARY KEY,
    todo_id         UUID NOT NULL REFERENCES todos (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    before_minutes  INTEGER NOT NULL,
    remind_at       TIMESTAMPTZ NOT NULL,
    fired_at        TIMESTAMPTZ,
    UNIQUE (todo_id, before_minutes, remind_at)
);
CREATE INDEX reminder_schedule_due ON reminder_schedule (remind_at, id) WHERE fired_at IS NULL;

-- What became of each reminder, per channel: the log /account/notifications
-- shows (its newest 50) and GET /api/v1/reminders/deliveries pages.
CREATE TABLE reminder_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The todo while it exists (the title is kept as it was).
    todo_id         UUID REFERENCES todos (id) ON DELETE SET NULL,
    title           TEXT NOT NULL,
    -- email, push; none when no channel could take it.
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'push', 'none')),
    -- The instant it was due (for a test: when it was asked for).
    due_at          TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    -- queued: handed to its channel (an email's fate is its outbox row's);
    -- sent; failed; skipped: no channel could take it; dropped: due more
    -- than 24 hours before the service could send it.
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'skipped', 'dropped')),
    -- Sent later than its minute (the service was down or behind).
    late            BOOLEAN NOT NULL DEFAULT FALSE,
    -- "Send me a test" rather than a todo's reminder.
    test            BOOLEAN NOT NULL DEFAULT FALSE,
    detail          TEXT,
    mail_id         BIGINT REFERENCES mail_outbox (id) ON DELETE SET NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX reminder_deliveries_newest ON reminder_deliveries (user_id, id DESC);
