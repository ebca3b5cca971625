-- Assessments made in Candour, their scores, judgements and factual-accuracy
-- challenges. Times are UTC text in the fixed-width form of 0002; dates are
-- YYYY-MM-DD. Publishing writes to `ratings` like an import does.

CREATE TABLE assessments (
    id                            INTEGER PRIMARY KEY,
    location_id                   TEXT NOT NULL REFERENCES locations(id),
    service_group                 TEXT NOT NULL,
    service_kind                  TEXT NOT NULL,
    status                        TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'published')),
    policy                        TEXT NOT NULL,
    breach                        INTEGER NOT NULL DEFAULT 0,
    registered_manager            INTEGER NOT NULL DEFAULT 1,
    manager_recruitment_under_way INTEGER NOT NULL DEFAULT 0,
    notifications_ok              INTEGER NOT NULL DEFAULT 1,
    created_by                    INTEGER NOT NULL REFERENCES users(id),
    created_at                    TEXT NOT NULL,
    sent_at                       TEXT,
    window_ends                   TEXT,
    published_at                  TEXT,
    published_by                  INTEGER REFERENCES users(id),
    published_on                  TEXT,
    result                        TEXT
);

CREATE INDEX assessments_location ON assessments (location_id, id);

CREATE TABLE assessment_statements (
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id),
    statement      TEXT NOT NULL,
    -- the key question letter's order then the number, so rows sort like the framework
    position       INTEGER NOT NULL,
    score          INTEGER CHECK (score BETWEEN 1 AND 4),
    categories     TEXT NOT NULL,
    notes          TEXT NOT NULL,
    carried_from   TEXT,
    PRIMARY KEY (assessment_id, statement)
) WITHOUT ROWID;

CREATE TABLE assessment_standing (
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id),
    key_question   TEXT NOT NULL,
    rating         TEXT NOT NULL,
    rated_on       TEXT,
    PRIMARY KEY (assessment_id, key_question)
) WITHOUT ROWID;

-- finding is a key question's code, or 'overall'
CREATE TABLE assessment_judgements (
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id),
    finding        TEXT NOT NULL,
    rating         TEXT NOT NULL,
    reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    computed       TEXT,
    PRIMARY KEY (assessment_id, finding)
) WITHOUT ROWID;

CREATE TABLE assessment_challenges (
    id               INTEGER PRIMARY KEY,
    assessment_id    INTEGER NOT NULL REFERENCES assessments(id),
    finding          TEXT NOT NULL,
    text             TEXT NOT NULL,
    raised_by        INTEGER NOT NULL REFERENCES users(id),
    raised_at        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    decision_reason  TEXT,
    decided_by       INTEGER REFERENCES users(id),
    decided_at       TEXT
);

CREATE INDEX assessment_challenges_assessment ON assessment_challenges (assessment_id, id);

-- Published assessments are history: the database itself refuses to change them.
CREATE TRIGGER assessments_published_are_immutable
BEFORE UPDATE ON assessments
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published assessment cannot change');
END;
