-- A person may ask, through their return link, to be reminded by email to say how
-- their outcomes are going. The reminder carries their return link (so the row holds
-- the link's secret, as their own email will) and a token of its own that stops it.
CREATE TABLE outcome_reminders (
    feedback_id  BIGINT PRIMARY KEY REFERENCES feedback(id),
    email        TEXT NOT NULL,
    every_weeks  INTEGER NOT NULL CHECK (every_weeks BETWEEN 1 AND 52),
    next_due_at  TIMESTAMPTZ NOT NULL,
    link         TEXT NOT NULL,
    stop_token   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX outcome_reminders_due ON outcome_reminders (next_due_at);
