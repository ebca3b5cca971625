-- Visits by experts by experience: the report is one JSON document (the day, who
-- was spoken with as counts, observations, judged "I" statements with quotes, a
-- summary), with the assessment's lifecycle around it: draft, sent to the provider
-- for factual-accuracy challenges, published.

CREATE TABLE visits (
    id                      INTEGER PRIMARY KEY,
    location_id             TEXT NOT NULL REFERENCES locations(id),
    status                  TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'published')),
    report                  TEXT NOT NULL,
    created_by              INTEGER NOT NULL REFERENCES users(id),
    created_at              TEXT NOT NULL,
    sent_at                 TEXT,
    window_ends             TEXT,
    challenges_finished_by  INTEGER REFERENCES users(id),
    challenges_finished_at  TEXT,
    published_at            TEXT,
    published_by            INTEGER REFERENCES users(id),
    published_on            TEXT
);

CREATE INDEX visits_location ON visits (location_id, id);

-- part is a part of the report by its code: 'visit', 'area:safe', 'statement:home', 'summary'
CREATE TABLE visit_challenges (
    id               INTEGER PRIMARY KEY,
    visit_id         INTEGER NOT NULL REFERENCES visits(id),
    part             TEXT NOT NULL,
    text             TEXT NOT NULL,
    raised_by        INTEGER NOT NULL REFERENCES users(id),
    raised_at        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    decision_reason  TEXT,
    decided_by       INTEGER REFERENCES users(id),
    decided_at       TEXT
);

CREATE INDEX visit_challenges_visit ON visit_challenges (visit_id, id);

CREATE TABLE visit_corrections (
    id             INTEGER PRIMARY KEY,
    visit_id       INTEGER NOT NULL REFERENCES visits(id),
    challenge_id   INTEGER NOT NULL REFERENCES visit_challenges(id),
    part           TEXT NOT NULL,
    before         TEXT NOT NULL,
    after          TEXT NOT NULL,
    corrected_by   INTEGER NOT NULL REFERENCES users(id),
    corrected_at   TEXT NOT NULL
);

CREATE INDEX visit_corrections_visit ON visit_corrections (visit_id, id);

-- Published visits are history: the database itself refuses to change them.
CREATE TRIGGER visits_published_are_immutable
BEFORE UPDATE ON visits
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published visit cannot change');
END;
