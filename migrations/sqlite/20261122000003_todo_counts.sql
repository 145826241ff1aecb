-- Lets the dashboard's totals count from the index alone, without reading
-- each todo row.
CREATE INDEX todos_by_user_completed ON todos (user_id, completed);
