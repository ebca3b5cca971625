-- What instances on one database share beyond the data itself.

-- Allowances (rate limits): one token bucket per key, taken under the row's lock.
-- full_at is when the bucket would be full again, after which the row says
-- nothing that a missing row would not, and may be forgotten.
CREATE TABLE allowances (
    key      TEXT PRIMARY KEY,
    tokens   DOUBLE PRECISION NOT NULL,
    updated  TIMESTAMPTZ NOT NULL,
    full_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX allowances_full_at ON allowances (full_at);
