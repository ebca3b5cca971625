-- The change journal: every write that feeds monitoring, the directory or a
-- public page appends (sequence, location, kind, at) in its own transaction.
-- Appends are ordered by an advisory lock (see src/journal.rs).
CREATE TABLE changes (
    sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id TEXT,
    kind TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX changes_at ON changes (at);
