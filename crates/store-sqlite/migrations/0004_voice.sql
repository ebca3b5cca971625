-- People's voice: feedback as given (kept privately, contact details included),
-- its moderation, safeguarding alerts and their contacts, provider replies and
-- personal-outcome progress. Times are UTC text in the fixed-width form of 0002.

CREATE TABLE feedback (
    id               INTEGER PRIMARY KEY,
    location_id      TEXT NOT NULL REFERENCES locations(id),
    -- SHA-256 of the submission key (its 32 bytes; other forms as text): a repeat
    -- of the key is the same response
    key_hash         BLOB NOT NULL UNIQUE,
    reference        TEXT NOT NULL UNIQUE,
    received_at      TEXT NOT NULL,
    respondent       TEXT NOT NULL CHECK (respondent IN ('person', 'family', 'advocate', 'staff', 'partner')),
    channel          TEXT NOT NULL CHECK (channel IN ('online', 'assisted', 'paper', 'api')),
    helper           TEXT,
    entered_by       INTEGER REFERENCES users(id),
    overall          TEXT NOT NULL,
    -- One column per question, 0-3; NULL for "doesn't apply" and for questions
    -- not asked of this respondent (the respondent tells which were asked).
    q_choice         INTEGER CHECK (q_choice BETWEEN 0 AND 3),
    q_safe           INTEGER CHECK (q_safe BETWEEN 0 AND 3),
    q_dignity        INTEGER CHECK (q_dignity BETWEEN 0 AND 3),
    q_listened       INTEGER CHECK (q_listened BETWEEN 0 AND 3),
    q_matters        INTEGER CHECK (q_matters BETWEEN 0 AND 3),
    q_in_touch       INTEGER CHECK (q_in_touch BETWEEN 0 AND 3),
    q_reliable       INTEGER CHECK (q_reliable BETWEEN 0 AND 3),
    q_information    INTEGER CHECK (q_information BETWEEN 0 AND 3),
    q_speak_up       INTEGER CHECK (q_speak_up BETWEEN 0 AND 3),
    q_enough_staff   INTEGER CHECK (q_enough_staff BETWEEN 0 AND 3),
    q_supervision    INTEGER CHECK (q_supervision BETWEEN 0 AND 3),
    q_managers_know  INTEGER CHECK (q_managers_know BETWEEN 0 AND 3),
    q_joint_working  INTEGER CHECK (q_joint_working BETWEEN 0 AND 3),
    q_transitions    INTEGER CHECK (q_transitions BETWEEN 0 AND 3),
    -- the story as written: never published as is
    story            TEXT NOT NULL,
    anonymous        INTEGER NOT NULL,
    contact_name     TEXT NOT NULL,
    contact_email    TEXT NOT NULL,
    contact_phone    TEXT NOT NULL,
    prescreen_level  INTEGER CHECK (prescreen_level BETWEEN 0 AND 5),
    -- JSON list of the words that suggest harm
    prescreen_words  TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    -- the moderator's de-identified copy
    published_text   TEXT,
    criticality      INTEGER CHECK (criticality BETWEEN 0 AND 5),
    moderated_by     INTEGER REFERENCES users(id),
    moderated_at     TEXT,
    reject_reason    TEXT
);

-- A service's responses over time: the aggregates and its public stories.
CREATE INDEX feedback_location ON feedback (location_id, received_at);
-- Responses by status: the moderation queue (few, sorted as read) and the
-- others latest recorded first. On (status) alone, ordered by id within it, so
-- that new rows are appended to it rather than scattered over it.
CREATE INDEX feedback_status ON feedback (status);

-- Up to three things that matter to the person, in the order given.
CREATE TABLE personal_outcomes (
    id           INTEGER PRIMARY KEY,
    feedback_id  INTEGER NOT NULL REFERENCES feedback(id),
    position     INTEGER NOT NULL,
    text         TEXT NOT NULL,
    UNIQUE (feedback_id, position)
);

CREATE TABLE outcome_progress (
    outcome_id  INTEGER NOT NULL REFERENCES personal_outcomes(id),
    rated_at    TEXT NOT NULL,
    progress    TEXT NOT NULL CHECK (progress IN ('better', 'same', 'worse'))
);

CREATE INDEX outcome_progress_outcome ON outcome_progress (outcome_id, rated_at);

CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    feedback_id      INTEGER NOT NULL REFERENCES feedback(id),
    level            INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    reason           TEXT NOT NULL,
    raised_at        TEXT NOT NULL,
    acknowledged_by  INTEGER REFERENCES users(id),
    acknowledged_at  TEXT,
    acknowledgement  TEXT
);

CREATE INDEX alerts_feedback ON alerts (feedback_id);
CREATE INDEX alerts_open ON alerts (raised_at) WHERE acknowledged_at IS NULL;

-- An alert's emails are outbox rows linked to it; failed sends wait until
-- next_attempt_at before the next try.
ALTER TABLE outbox ADD COLUMN alert_id INTEGER REFERENCES alerts(id);
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;

CREATE INDEX outbox_alert ON outbox (alert_id) WHERE alert_id IS NOT NULL;

-- A provider's named safeguarding lead, or a local authority's team (by name,
-- compared ignoring case like the register's local authorities).
CREATE TABLE safeguarding_contacts (
    scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('provider', 'local_authority')),
    scope_id    TEXT NOT NULL COLLATE NOCASE,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users(id),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (scope_kind, scope_id)
) WITHOUT ROWID;

CREATE TABLE replies (
    id             INTEGER PRIMARY KEY,
    feedback_id    INTEGER NOT NULL REFERENCES feedback(id),
    author         INTEGER NOT NULL REFERENCES users(id),
    text           TEXT NOT NULL,
    change         TEXT NOT NULL CHECK (change IN ('none', 'planned', 'made')),
    change_what    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    checked_by     INTEGER REFERENCES users(id),
    checked_at     TEXT,
    reject_reason  TEXT
);

CREATE INDEX replies_feedback ON replies (feedback_id, created_at);
CREATE INDEX replies_to_check ON replies (created_at) WHERE status = 'pending';
CREATE INDEX replies_author ON replies (author) WHERE status = 'published';
