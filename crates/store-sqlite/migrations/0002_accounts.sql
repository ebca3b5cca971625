-- Accounts, sessions, single-use links, API tokens, the audit log and the outbox.
-- Times are UTC text in one fixed-width form (2024-01-31T09:00:00.000000Z), so that
-- comparing the text compares the times. Secrets are never stored: only their hashes.

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name             TEXT NOT NULL,
    -- the argon2id PHC string; NULL until the invitation is accepted
    password_hash    TEXT,
    disabled         INTEGER NOT NULL DEFAULT 0,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked_until     TEXT,
    created_at       TEXT NOT NULL,
    last_sign_in_at  TEXT
);

-- One row per role and scope. scope_value is '' for roles that cover everything,
-- so that the uniqueness constraint also holds for them.
CREATE TABLE user_grants (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    scope_kind   TEXT NOT NULL CHECK (scope_kind IN ('all', 'local_authority', 'provider', 'location')),
    scope_value  TEXT NOT NULL,
    PRIMARY KEY (user_id, role, scope_kind, scope_value)
) WITHOUT ROWID;

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE links (
    token_hash  TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Who did what, when and from where. The actor is not a foreign key: the log must
-- outlive any change to the accounts it names.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     INTEGER,
    action    TEXT NOT NULL,
    resource  TEXT NOT NULL,
    detail    TEXT,
    ip        TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_resource ON audit_log (resource, at);

-- The log is append-only: the database itself refuses to change or remove entries.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted');
END;

-- Email waiting to be sent, and a record of what was sent.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    "to"        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);

CREATE INDEX outbox_unsent ON outbox (sent_at, id);
