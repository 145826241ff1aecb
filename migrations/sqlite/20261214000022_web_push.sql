-- Web Push (RFC 8030, 8291, 8292): the instance's VAPID key pair, made at
-- first start and shared by every instance, and the browsers each user
-- subscribed. A subscription's endpoint is a URL the server will POST
-- to, checked when it is given and again at every delivery
-- (src/push/endpoint.rs).
CREATE TABLE push_keys (
    id           INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    -- The P-256 private scalar and the uncompressed public point, base64url.
    private_key  TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE push_subscriptions (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- One browser's endpoint belongs to whoever subscribed it last.
    endpoint     TEXT NOT NULL UNIQUE,
    -- The browser's P-256 public key and its authentication secret, base64url.
    p256dh       TEXT NOT NULL,
    auth         TEXT NOT NULL,
    -- What the owner calls it ("Firefox on the laptop").
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_sent_at TEXT
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id, created_at);

-- A push delivery names the browser it went to.
ALTER TABLE reminder_deliveries ADD COLUMN push_subscription_id BLOB
    REFERENCES push_subscriptions (id) ON DELETE SET NULL;
