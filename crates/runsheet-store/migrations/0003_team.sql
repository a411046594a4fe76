-- Runsheet schema version 3: team runs. Events get the per-device gapless number team sync pulls by and the
-- author's signature; shared runs remember what has been pushed and how the last sync went.

-- NULL for events recorded before schema 3 (their hashes do not cover a number, so none is added).
ALTER TABLE events ADD COLUMN device_seq INTEGER;
-- JSON of runsheet_core::event::EventAuthor, NULL when unsigned. Not covered by the hash (it signs the hash).
ALTER TABLE events ADD COLUMN author TEXT;
-- One event per (device, number): a second event under a number already used is a forked or forged device.
CREATE UNIQUE INDEX events_device_seq ON events(device, device_seq) WHERE device_seq IS NOT NULL;
-- Who joined a run from which device: asked on every write to a run (is it shared, did this device join).
CREATE INDEX events_members ON events(run_id, device) WHERE kind = 'member_joined';

-- Runs shared with a team. `pushed_seq` is the highest of this device's `device_seq` the server acknowledged
-- for the run (it only grows); the outbox is this device's events of the run above it.
CREATE TABLE shared_runs (
    run_id        TEXT PRIMARY KEY REFERENCES runs(id),
    shared_at     TEXT NOT NULL,
    pushed_seq    INTEGER NOT NULL DEFAULT 0,
    -- The last sync without error; the error of the latest attempt (NULL after a success) and its time.
    last_sync     TEXT,
    last_error    TEXT,
    last_error_at TEXT
) STRICT;
