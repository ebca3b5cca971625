-- Accounts of good practice: one service's account of something that works well,
-- with one theme and the quality statements it shows. Only published ones are public.

CREATE TABLE good_practice (
    id            INTEGER PRIMARY KEY,
    location_id   TEXT NOT NULL REFERENCES locations(id),
    title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary       TEXT NOT NULL,
    what_we_did   TEXT NOT NULL,
    why           TEXT NOT NULL,
    difference    TEXT NOT NULL,
    advice        TEXT NOT NULL,
    theme         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'unpublished')),
    created_by    INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    published_at  TEXT
);

CREATE INDEX good_practice_location ON good_practice (location_id, updated_at);
CREATE INDEX good_practice_published ON good_practice (status, published_at);

-- The quality statements an account shows, by their IDs (S1 ... W8), for the search.
CREATE TABLE good_practice_statements (
    practice_id  INTEGER NOT NULL REFERENCES good_practice(id) ON DELETE CASCADE,
    statement    TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (practice_id, statement)
) WITHOUT ROWID;

CREATE INDEX good_practice_statement ON good_practice_statements (statement, practice_id);
