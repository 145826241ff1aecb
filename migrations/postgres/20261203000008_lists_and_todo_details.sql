-- Lists, and what a todo has besides its title: notes, a priority, a due
-- date (and time), and a position in its list's manual order; a time zone
-- per account, and a full-text index over titles and notes. Mirrors
-- migrations/sqlite.
--
-- Existing data moves without loss: every user gets an Inbox, and every
-- todo lands in it with no due date and no priority, in the order the list
-- showed (newest first).

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE lists (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    -- The name in lower case, as the app writes it: names are unique per
    -- user whatever their case.
    name_key   TEXT NOT NULL,
    is_inbox   BOOLEAN NOT NULL DEFAULT FALSE,
    -- An ordering key (src/ordering.rs), compared byte-wise.
    position   TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX lists_one_inbox_per_user ON lists (user_id) WHERE is_inbox;
CREATE UNIQUE INDEX lists_name_per_user ON lists (user_id, name_key);
CREATE UNIQUE INDEX lists_in_order ON lists (user_id, position);

INSERT INTO lists (id, user_id, name, name_key, is_inbox, position, created_at, updated_at)
SELECT gen_random_uuid(), id, 'Inbox', 'inbox', TRUE, 'a0', created_at, created_at FROM users;

ALTER TABLE todos
    ADD COLUMN list_id UUID REFERENCES lists (id) ON DELETE CASCADE,
    ADD COLUMN notes TEXT NOT NULL DEFAULT '',
    ADD COLUMN priority SMALLINT NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
    ADD COLUMN due_date DATE,
    ADD COLUMN due_time TIME,
    ADD COLUMN position TEXT COLLATE "C",
    ADD CONSTRAINT todos_time_needs_a_date CHECK (due_time IS NULL OR due_date IS NOT NULL);

-- Positions 'd' and four base-62 digits of the todo's rank, newest first:
-- valid ordering keys, with room before and between them.
UPDATE todos
SET list_id = lists.id,
    position = 'd'
        || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((ranked.n / 238328) % 62 + 1)::int, 1)
        || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((ranked.n / 3844) % 62 + 1)::int, 1)
        || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ((ranked.n / 62) % 62 + 1)::int, 1)
        || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (ranked.n % 62 + 1)::int, 1)
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) - 1 AS n
    FROM todos
) AS ranked, lists
WHERE ranked.id = todos.id AND lists.user_id = todos.user_id AND lists.is_inbox;

ALTER TABLE todos
    ALTER COLUMN list_id SET NOT NULL,
    ALTER COLUMN position SET NOT NULL;

-- A list's manual order (also what keeps positions unique), by priority,
-- and by due date.
-- The owner leads, as every query names the owner: the planner then reads
-- a list's page straight off this index even before it has statistics.
CREATE UNIQUE INDEX todos_in_list_order ON todos (user_id, list_id, position);
CREATE INDEX todos_by_priority ON todos (user_id, list_id, priority DESC, position);
CREATE INDEX todos_by_due ON todos (user_id, due_date, due_time NULLS FIRST, created_at, id)
    WHERE due_date IS NOT NULL;
-- Counts per list and state (the sidebar), and open todos by due date
-- (the Today and Upcoming counts), from the indexes alone.
DROP INDEX todos_by_user_completed;
CREATE INDEX todos_by_list_state ON todos (user_id, list_id, completed);
CREATE INDEX todos_open_by_due ON todos (user_id, completed, due_date) WHERE due_date IS NOT NULL;

-- A page shows the lists too: a change to them makes kept pages stale.
CREATE TRIGGER lists_version_on_insert AFTER INSERT ON lists
    REFERENCING NEW TABLE AS changed_todos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_todos_version();
CREATE TRIGGER lists_version_on_update AFTER UPDATE ON lists
    REFERENCING NEW TABLE AS changed_todos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_todos_version();
CREATE TRIGGER lists_version_on_delete AFTER DELETE ON lists
    REFERENCING OLD TABLE AS changed_todos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_todos_version();

-- Full-text search over titles and notes: the 'simple' configuration (no
-- stemming, any language), as SQLite's unicode61 tokenizer reads text. The
-- owner's id is a lexeme too ('u' and 32 hex digits), so a query for one
-- user's matches is answered by the GIN index alone.
ALTER TABLE todos ADD COLUMN search tsvector
    GENERATED ALWAYS AS (
        to_tsvector('simple', title || ' ' || notes)
            || array_to_tsvector(ARRAY['u' || replace(user_id::text, '-', '')])
    ) STORED;
-- Entries go straight into the index (no pending list), so a search is as
-- fast right after many inserts as after the next vacuum.
CREATE INDEX todos_search ON todos USING GIN (search) WITH (fastupdate = off);
