-- How many todos each user has, kept by triggers like todos_version, so the
-- per-user cap is checked from one row instead of counting the todos.
ALTER TABLE users ADD COLUMN todo_count INTEGER NOT NULL DEFAULT 0;
UPDATE users SET todo_count = (SELECT COUNT(*) FROM todos WHERE todos.user_id = users.id);

CREATE TRIGGER todo_count_on_insert AFTER INSERT ON todos
BEGIN
    UPDATE users SET todo_count = todo_count + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER todo_count_on_delete AFTER DELETE ON todos
BEGIN
    UPDATE users SET todo_count = todo_count - 1 WHERE id = OLD.user_id;
END;
