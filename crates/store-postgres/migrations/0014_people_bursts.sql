-- A month with far more answers than a service usually gets is held out of its
-- people's rating until a moderator decides whether its answers count. The latest
-- decision stands; the journal records each.
CREATE TABLE people_burst_reviews (
    location_id  TEXT NOT NULL,
    month        TEXT NOT NULL,
    counted      BOOLEAN NOT NULL,
    reviewed_by  BIGINT NOT NULL REFERENCES users(id),
    reviewed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (location_id, month)
);
