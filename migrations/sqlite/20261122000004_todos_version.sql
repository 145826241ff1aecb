-- A counter that changes with every change to a user's todos, so an app
-- instance can tell from the session lookup alone whether a page it
-- rendered earlier for that user is still current. Triggers keep it, so no
-- write path can forget to.
ALTER TABLE users ADD COLUMN todos_version INTEGER NOT NULL DEFAULT 0;

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
