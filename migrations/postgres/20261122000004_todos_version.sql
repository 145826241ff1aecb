-- A counter that changes with every change to a user's todos, so an app
-- instance can tell from the session lookup alone whether a page it
-- rendered earlier for that user is still current. Triggers keep it, so no
-- write path can forget to; one bump per statement and user, so toggling
-- 10,000 todos updates the user's row once.
ALTER TABLE users ADD COLUMN todos_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_todos_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET todos_version = todos_version + 1
    WHERE id IN (SELECT DISTINCT user_id FROM changed_todos);
    RETURN NULL;
END;
$$;

CREATE TRIGGER todos_version_on_insert AFTER INSERT ON todos
    REFERENCING NEW TABLE AS changed_todos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_todos_version();

CREATE TRIGGER todos_version_on_update AFTER UPDATE ON todos
    REFERENCING NEW TABLE AS changed_todos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_todos_version();

CREATE TRIGGER todos_version_on_delete AFTER DELETE ON todos
    REFERENCING OLD TABLE AS changed_todos
    FOR EACH STATEMENT EXECUTE FUNCTION bump_todos_version();
