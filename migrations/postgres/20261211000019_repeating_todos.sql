-- Repeating todos: a rule (RFC 5545 RRULE, the subset src/todos/repeat.rs
-- accepts, in its canonical form), what it counts from (`due` or
-- `completion`), and the next occurrence once completing made it.
--
-- `next_id` is written once, in the transaction that completes the todo
-- and makes its next occurrence: a todo completed again (or completed by
-- two requests at once) finds it set and makes no second one. It is kept
-- even when that next todo is deleted, for the same reason.
ALTER TABLE todos ADD COLUMN repeat_rule TEXT;
ALTER TABLE todos ADD COLUMN repeat_from TEXT CHECK (repeat_from IN ('due', 'completion'));
ALTER TABLE todos ADD COLUMN next_id UUID;

-- What undo keeps of a deleted todo keeps its repeat too.
ALTER TABLE deleted_todos ADD COLUMN repeat_rule TEXT;
ALTER TABLE deleted_todos ADD COLUMN repeat_from TEXT;
ALTER TABLE deleted_todos ADD COLUMN next_id UUID;
