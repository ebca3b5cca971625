-- Provider returns: one row per location and month of the figures a service
-- sends about how it runs. A later return for the month replaces the row, with
-- who sent it and when. Months are 'YYYY-MM', so text order is time order.

CREATE TABLE provider_returns (
    location_id            TEXT NOT NULL REFERENCES locations(id),
    month                  TEXT COLLATE "C" NOT NULL CHECK (month ~ '^[0-9]{4}-[01][0-9]$'),
    headcount              BIGINT NOT NULL CHECK (headcount >= 0),
    leavers                BIGINT NOT NULL CHECK (leavers >= 0),
    agency_hours           BIGINT NOT NULL CHECK (agency_hours >= 0),
    hours_worked           BIGINT NOT NULL CHECK (hours_worked >= agency_hours),
    vacancies              BIGINT NOT NULL CHECK (vacancies >= 0),
    supervision_pct        BIGINT NOT NULL CHECK (supervision_pct BETWEEN 0 AND 100),
    training_pct           BIGINT NOT NULL CHECK (training_pct BETWEEN 0 AND 100),
    registered_manager     BOOLEAN NOT NULL,
    manager_changed        BOOLEAN NOT NULL,
    people_supported       BIGINT NOT NULL CHECK (people_supported >= 0),
    incidents              BIGINT NOT NULL CHECK (incidents >= 0),
    restraint              BIGINT NOT NULL CHECK (restraint >= 0),
    seclusion              BIGINT NOT NULL CHECK (seclusion >= 0),
    segregation            BIGINT NOT NULL CHECK (segregation >= 0),
    notifications          BIGINT NOT NULL CHECK (notifications >= 0),
    safeguarding_referrals BIGINT NOT NULL CHECK (safeguarding_referrals >= 0),
    complaints_received    BIGINT NOT NULL CHECK (complaints_received >= 0),
    complaints_upheld      BIGINT NOT NULL CHECK (complaints_upheld BETWEEN 0 AND complaints_received),
    complaints_on_time     BIGINT NOT NULL CHECK (complaints_on_time BETWEEN 0 AND complaints_received),
    -- the account that sent it; NULL for a file imported on the server
    sent_by                BIGINT REFERENCES users(id),
    sent_at                TIMESTAMPTZ NOT NULL,
    source                 TEXT NOT NULL CHECK (source IN ('form', 'csv', 'api')),
    PRIMARY KEY (location_id, month)
);
