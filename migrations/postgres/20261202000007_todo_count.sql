-- How many todos each user has, kept by triggers like todos_version (once
-- per statement and user), so the per-user cap is checked from one row
-- instead of counting the todos.
ALTER TABLE users ADD COLUMN todo_count BIGINT NOT NULL DEFAULT 0;
UPDATE users SET todo_count = (SELECT COUNT(*) FROM todos WHERE todos.user_id = users.id);

CREATE FUNCTION count_inserted_todos() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET todo_count = users.todo_count + added.n
    FROM (SELECT user_id, COUNT(*) AS n FROM inserted_todos GROUP BY user_id) AS added
    WHERE users.id = added.user_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_deleted_todos() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET todo_count = users.todo_count - removed.n
    FROM (SELECT user_id, COUNT(*) AS n FROM deleted_todos GROUP BY user_id) AS removed
    WHERE users.id = removed.user_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER todo_count_on_insert AFTER INSERT ON todos
    REFERENCING NEW TABLE AS inserted_todos
    FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_todos();

CREATE TRIGGER todo_count_on_delete AFTER DELETE ON todos
    REFERENCING OLD TABLE AS deleted_todos
    FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_todos();
