-- Calendar feeds: one private iCalendar address per user, for a calendar
-- app to subscribe to. Only the address's secret's SHA-256 is kept, so a
-- copy of the database cannot read anyone's todos through it; making a
-- new one replaces the row, and the old address answers 404.
CREATE TABLE calendar_feeds (
    user_id     BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
