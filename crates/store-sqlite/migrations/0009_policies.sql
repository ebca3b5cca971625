-- The policy cascade: a provider's policies, each publication a new version (the
-- earlier ones kept), and who confirmed reading which version. Times are UTC text
-- in the fixed-width form of 0002, so that comparing the text compares the times.

CREATE TABLE policies (
    id               INTEGER PRIMARY KEY,
    provider_id      TEXT NOT NULL REFERENCES providers(id),
    current_version  INTEGER NOT NULL CHECK (current_version >= 1),
    created_at       TEXT NOT NULL,
    withdrawn_at     TEXT
);

CREATE INDEX policies_provider ON policies (provider_id);

CREATE TABLE policy_versions (
    policy_id              INTEGER NOT NULL REFERENCES policies(id),
    version                INTEGER NOT NULL CHECK (version >= 1),
    title                  TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind                   TEXT NOT NULL CHECK (kind IN ('policy', 'procedure', 'guide')),
    body                   TEXT NOT NULL,
    changes                TEXT NOT NULL,
    requires_confirmation  INTEGER NOT NULL CHECK (requires_confirmation IN (0, 1)),
    -- the account that published it; NULL for demo or imported data
    published_by           INTEGER REFERENCES users(id),
    published_at           TEXT NOT NULL,
    PRIMARY KEY (policy_id, version)
) WITHOUT ROWID;

-- One row per account and version read: a new version starts unread.
CREATE TABLE policy_reads (
    policy_id     INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    confirmed_at  TEXT NOT NULL,
    PRIMARY KEY (policy_id, version, user_id),
    FOREIGN KEY (policy_id, version) REFERENCES policy_versions (policy_id, version)
) WITHOUT ROWID;

CREATE INDEX policy_reads_user ON policy_reads (user_id);
