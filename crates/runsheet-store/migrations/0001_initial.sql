-- Runsheet schema version 1. Shipped migrations are never edited: add a new file instead.

-- Facts about this installation (its device id, made once).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The checklist library: the Markdown source as imported and its parsed form (JSON of runsheet_core::Checklist).
CREATE TABLE checklists (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    source      TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    parsed      TEXT NOT NULL
) STRICT;
CREATE INDEX checklists_source_hash ON checklists(source_hash);

-- One row per run; the run's truth is its events. `event_count` and `head` record the last append so that
-- deleting events at the end of a chain is detected.
CREATE TABLE runs (
    id           TEXT PRIMARY KEY,
    checklist_id TEXT NOT NULL REFERENCES checklists(id),
    title        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    event_count  INTEGER NOT NULL DEFAULT 0,
    head         TEXT
) STRICT;

-- Append-only events. `seq` is the local recording order; the other columns are the event's fields and `hash`
-- covers them all (see runsheet_core::event).
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    id      TEXT NOT NULL UNIQUE,
    run_id  TEXT NOT NULL REFERENCES runs(id),
    device  TEXT NOT NULL,
    lamport INTEGER NOT NULL,
    parents TEXT NOT NULL,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    item    TEXT,
    body    TEXT NOT NULL,
    hash    TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX events_run ON events(run_id, seq);
