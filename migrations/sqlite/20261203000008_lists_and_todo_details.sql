-- Lists, and what a todo has besides its title: notes, a priority, a due
-- date (and time), and a position in its list's manual order; a time zone
-- per account, and a full-text index over titles and notes.
--
-- Existing data moves without loss: every user gets an Inbox, and every
-- todo lands in it with no due date and no priority, in the order the list
-- showed (newest first).

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE lists (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    -- The name in lower case, as the app writes it: names are unique per
    -- user whatever their case.
    name_key   TEXT NOT NULL,
    is_inbox   INTEGER NOT NULL DEFAULT 0 CHECK (is_inbox IN (0, 1)),
    -- An ordering key (src/ordering.rs), compared byte-wise.
    position   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX lists_one_inbox_per_user ON lists (user_id) WHERE is_inbox = 1;
CREATE UNIQUE INDEX lists_name_per_user ON lists (user_id, name_key);
CREATE UNIQUE INDEX lists_in_order ON lists (user_id, position);

INSERT INTO lists (id, user_id, name, name_key, is_inbox, position, created_at, updated_at)
SELECT randomblob(16), id, 'Inbox', 'inbox', 1, 'a0', created_at, created_at FROM users;

-- SQLite cannot add a required column with a foreign key, so the table is
-- rebuilt. `seq` is a stable integer row id for the full-text index (a
-- table without one may renumber its rows on VACUUM).
CREATE TABLE todos_new (
    seq        INTEGER PRIMARY KEY,
    id         BLOB NOT NULL UNIQUE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    list_id    BLOB NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    completed  INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    priority   INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
    due_date   TEXT,
    due_time   TEXT,
    position   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (due_time IS NULL OR due_date IS NOT NULL)
);

-- Positions 'd' and four base-62 digits of the todo's rank, newest first:
-- valid ordering keys, with room before and between them.
INSERT INTO todos_new (id, user_id, list_id, title, completed, position, created_at, updated_at)
SELECT ranked.id, ranked.user_id, lists.id, ranked.title, ranked.completed,
       'd' || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (ranked.n / 238328) % 62 + 1, 1)
           || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (ranked.n / 3844) % 62 + 1, 1)
           || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (ranked.n / 62) % 62 + 1, 1)
           || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ranked.n % 62 + 1, 1),
       ranked.created_at, ranked.updated_at
FROM (
    SELECT todos.*,
           ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) - 1 AS n
    FROM todos
) AS ranked
JOIN lists ON lists.user_id = ranked.user_id AND lists.is_inbox = 1;

-- Dropping the table drops its triggers; the counts they keep are unchanged
-- (a DROP fires no triggers), and they are made again below.
DROP TABLE todos;
ALTER TABLE todos_new RENAME TO todos;

-- Newest first (all todos, search results), a list's manual order (also
-- what keeps positions unique), by priority, and by due date.
CREATE INDEX todos_by_user_newest ON todos (user_id, created_at DESC, id DESC);
-- The owner leads, as every query names the owner: the planner then reads
-- a list's page straight off this index even before it has statistics.
CREATE UNIQUE INDEX todos_in_list_order ON todos (user_id, list_id, position);
CREATE INDEX todos_by_priority ON todos (user_id, list_id, priority DESC, position);
CREATE INDEX todos_by_due ON todos (user_id, due_date, due_time, created_at, id)
    WHERE due_date IS NOT NULL;
-- Counts per list and state (the sidebar), and open todos by due date
-- (the Today and Upcoming counts), from the indexes alone.
CREATE INDEX todos_by_list_state ON todos (user_id, list_id, completed);
CREATE INDEX todos_open_by_due ON todos (user_id, completed, due_date) WHERE due_date IS NOT NULL;

CREATE TRIGGER todos_version_on_insert AFTER INSERT ON todos
BEGIN
    UPDATE users SET todos_version = todos_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER todos_version_on_update AFTER UPDATE ON todos
BEGIN
    UPDATE users SET todos_version = todos_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER todos_version_on_delete AFTER DELETE ON todos
BEGIN
    UPDATE users SET todos_version = todos_version + 1 WHERE id = OLD.user_id;
END;
CREATE TRIGGER todo_count_on_insert AFTER INSERT ON todos
BEGIN
    UPDATE users SET todo_count = todo_count + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER todo_count_on_delete AFTER DELETE ON todos
BEGIN
    UPDATE users SET todo_count = todo_count - 1 WHERE id = OLD.user_id;
END;

-- A page shows the lists too: a change to them makes kept pages stale.
CREATE TRIGGER lists_version_on_insert AFTER INSERT ON lists
BEGIN
    UPDATE users SET todos_version = todos_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER lists_version_on_update AFTER UPDATE ON lists
BEGIN
    UPDATE users SET todos_version = todos_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER lists_version_on_delete AFTER DELETE ON lists
BEGIN
    UPDATE users SET todos_version = todos_version + 1 WHERE id = OLD.user_id;
END;

-- Full-text search over titles and notes (FTS5). The owner's id is indexed
-- too, so a search reads one user's part of the index; accents are kept as
-- written, as PostgreSQL's 'simple' configuration does.
CREATE VIRTUAL TABLE todo_search USING fts5(
    owner, title, notes,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO todo_search (rowid, owner, title, notes)
SELECT seq, lower(hex(user_id)), title, notes FROM todos;

CREATE TRIGGER todo_search_on_insert AFTER INSERT ON todos
BEGIN
    INSERT INTO todo_search (rowid, owner, title, notes)
    VALUES (NEW.seq, lower(hex(NEW.user_id)), NEW.title, NEW.notes);
END;
CREATE TRIGGER todo_search_on_update AFTER UPDATE OF title, notes ON todos
BEGIN
    UPDATE todo_search SET title = NEW.title, notes = NEW.notes WHERE rowid = NEW.seq;
END;
CREATE TRIGGER todo_search_on_delete AFTER DELETE ON todos
BEGIN
    DELETE FROM todo_search WHERE rowid = OLD.seq;
END;
