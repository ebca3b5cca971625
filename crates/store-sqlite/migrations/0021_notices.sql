-- Notices: an email may carry HTML beside its text, the link it asks its reader to
-- open, a one-click unsubscribe link, and be held for the person's daily digest.
ALTER TABLE outbox ADD COLUMN html_body TEXT;
ALTER TABLE outbox ADD COLUMN link TEXT;
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;
ALTER TABLE outbox ADD COLUMN for_digest INTEGER NOT NULL DEFAULT 0;
-- The digest email that gathered a held one.
ALTER TABLE outbox ADD COLUMN digest_id INTEGER REFERENCES outbox(id);
CREATE INDEX outbox_held ON outbox ("to", id) WHERE for_digest = 1 AND sent_at IS NULL;

-- What a person has chosen for each kind of notice they need not receive; no row
-- means each as it happens.
CREATE TABLE mail_choices (
    email       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    choice      TEXT NOT NULL CHECK (choice IN ('each', 'digest', 'none')),
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (email, kind)
) WITHOUT ROWID;

-- One-click unsubscribe links, by their secret's hash: each stops one kind of notice
-- for one address.
CREATE TABLE unsubscribe_links (
    token_hash  TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Notices that go once only (a deadline tomorrow, a deadline missed), by what they
-- are about: two instances looking at once queue one.
CREATE TABLE notices_sent (
    key      TEXT PRIMARY KEY,
    sent_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Further private follow links to a complaint, one for each email that carries one:
-- the secret of a link is never kept, so each email to the complainant brings its own.
CREATE TABLE complaint_links (
    token_hash    TEXT PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    created_at    TEXT NOT NULL
) WITHOUT ROWID;

-- People following a service by email, once they confirm through the link sent to
-- them (its secret kept as a hash). News of the service goes to confirmed ones.
CREATE TABLE follows (
    id            INTEGER PRIMARY KEY,
    location_id   TEXT NOT NULL REFERENCES locations(id),
    email         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT
);
CREATE UNIQUE INDEX follows_once ON follows (location_id, email) WHERE confirmed_at IS NOT NULL;
