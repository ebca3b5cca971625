-- Notices: an email may carry HTML beside its text, the link it asks its reader to
-- open, a one-click unsubscribe link, and be held for the person's daily digest.
ALTER TABLE outbox ADD COLUMN html_body TEXT;
ALTER TABLE outbox ADD COLUMN link TEXT;
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;
ALTER TABLE outbox ADD COLUMN for_digest BOOLEAN NOT NULL DEFAULT FALSE;
-- The digest email that gathered a held one.
ALTER TABLE outbox ADD COLUMN digest_id BIGINT REFERENCES outbox(id);
CREATE INDEX outbox_held ON outbox ("to", id) WHERE for_digest AND sent_at IS NULL;

-- What a person has chosen for each kind of notice they need not receive; no row
-- means each as it happens.
CREATE TABLE mail_choices (
    email       TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    choice      TEXT NOT NULL CHECK (choice IN ('each', 'digest', 'none')),
    changed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (email, kind)
);

-- One-click unsubscribe links, by their secret's hash: each stops one kind of notice
-- for one address.
CREATE TABLE unsubscribe_links (
    token_hash  TEXT PRIMARY KEY,
    email       TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Notices that go once only (a deadline tomorrow, a deadline missed), by what they
-- are about: two instances looking at once queue one.
CREATE TABLE notices_sent (
    key      TEXT PRIMARY KEY,
    sent_at  TIMESTAMPTZ NOT NULL
);

-- Further private follow links to a complaint, one for each email that carries one:
-- the secret of a link is never kept, so each email to the complainant brings its own.
CREATE TABLE complaint_links (
    token_hash    TEXT PRIMARY KEY,
    complaint_id  BIGINT NOT NULL REFERENCES complaints(id),
    created_at    TIMESTAMPTZ NOT NULL
);
