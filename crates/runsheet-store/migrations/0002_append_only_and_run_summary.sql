-- Runsheet schema version 2: events become append-only at the SQL level, and runs cache their status and
-- progress (recomputed in the same transaction as every append) so listing runs needs no fold.

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'not_started';
ALTER TABLE runs ADD COLUMN progress TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN updated_at TEXT;
