-- Improvement plans: a location's response to its findings. Actions answer one
-- finding each; every status change is kept (progress over time); evidence is a
-- note or a file kept here as a BLOB with its checked type, size and SHA-256.
-- Nothing is public unless the plan is published and the item marked public.

CREATE TABLE improvement_plans (
    id                INTEGER PRIMARY KEY,
    location_id       TEXT NOT NULL REFERENCES locations(id),
    title             TEXT NOT NULL CHECK (length(title) > 0),
    started_on        TEXT NOT NULL,
    reflection        TEXT NOT NULL DEFAULT '{}',
    published_summary TEXT,
    published_by      INTEGER REFERENCES users(id),
    published_at      TEXT,
    created_by        INTEGER NOT NULL REFERENCES users(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK ((published_summary IS NULL) = (published_at IS NULL))
);
CREATE INDEX improvement_plans_by_location ON improvement_plans (location_id, created_at);

CREATE TABLE plan_findings (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES improvement_plans(id),
    kind      TEXT NOT NULL CHECK (kind IN ('statement', 'watchlist', 'rating', 'complaint', 'other')),
    reference TEXT NOT NULL,
    text      TEXT NOT NULL CHECK (length(text) > 0)
);
CREATE INDEX plan_findings_by_plan ON plan_findings (plan_id);

CREATE TABLE plan_actions (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES improvement_plans(id),
    finding_id  INTEGER NOT NULL REFERENCES plan_findings(id),
    statement   TEXT NOT NULL,
    description TEXT NOT NULL CHECK (length(description) > 0),
    owner       TEXT NOT NULL CHECK (length(owner) > 0),
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
    public      INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    created_at  TEXT NOT NULL
);
CREATE INDEX plan_actions_by_plan ON plan_actions (plan_id);

CREATE TABLE plan_action_changes (
    id        INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES plan_actions(id),
    status    TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
    reason    TEXT,
    by_user   INTEGER NOT NULL REFERENCES users(id),
    at        TEXT NOT NULL
);
CREATE INDEX plan_action_changes_by_action ON plan_action_changes (action_id, id);

CREATE TABLE plan_evidence (
    id           INTEGER PRIMARY KEY,
    action_id    INTEGER NOT NULL REFERENCES plan_actions(id),
    note         TEXT NOT NULL,
    file_name    TEXT,
    file_kind    TEXT CHECK (file_kind IN ('pdf', 'png', 'jpeg', 'text', 'csv')),
    file_size    INTEGER CHECK (file_size BETWEEN 1 AND 5242880),
    file_sha256  TEXT,
    content      BLOB,
    public       INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    added_by     INTEGER NOT NULL REFERENCES users(id),
    added_at     TEXT NOT NULL,
    CHECK ((file_name IS NULL) = (content IS NULL)),
    CHECK (length(note) > 0 OR content IS NOT NULL)
);
CREATE INDEX plan_evidence_by_action ON plan_evidence (action_id);
