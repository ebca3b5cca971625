-- Provider returns: one row per location and month of the figures a service
-- sends about how it runs. A later return for the month replaces the row, with
-- who sent it and when. Months are 'YYYY-MM', so text order is time order.

CREATE TABLE provider_returns (
    location_id            TEXT NOT NULL REFERENCES locations(id),
    month                  TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    headcount              INTEGER NOT NULL CHECK (headcount >= 0),
    leavers                INTEGER NOT NULL CHECK (leavers >= 0),
    agency_hours           INTEGER NOT NULL CHECK (agency_hours >= 0),
    hours_worked           INTEGER NOT NULL CHECK (hours_worked >= agency_hours),
    vacancies              INTEGER NOT NULL CHECK (vacancies >= 0),
    supervision_pct        INTEGER NOT NULL CHECK (supervision_pct BETWEEN 0 AND 100),
    training_pct           INTEGER NOT NULL CHECK (training_pct BETWEEN 0 AND 100),
    registered_manager     INTEGER NOT NULL CHECK (registered_manager IN (0, 1)),
    manager_changed        INTEGER NOT NULL CHECK (manager_changed IN (0, 1)),
    people_supported       INTEGER NOT NULL CHECK (people_supported >= 0),
    incidents              INTEGER NOT NULL CHECK (incidents >= 0),
    restraint              INTEGER NOT NULL CHECK (restraint >= 0),
    seclusion              INTEGER NOT NULL CHECK (seclusion >= 0),
    segregation            INTEGER NOT NULL CHECK (segregation >= 0),
    notifications          INTEGER NOT NULL CHECK (notifications >= 0),
    safeguarding_referrals INTEGER NOT NULL CHECK (safeguarding_referrals >= 0),
    complaints_received    INTEGER NOT NULL CHECK (complaints_received >= 0),
    complaints_upheld      INTEGER NOT NULL CHECK (complaints_upheld BETWEEN 0 AND complaints_received),
    complaints_on_time     INTEGER NOT NULL CHECK (complaints_on_time BETWEEN 0 AND complaints_received),
    -- the account that sent it; NULL for a file imported on the server
    sent_by                INTEGER REFERENCES users(id),
    sent_at                TEXT NOT NULL,
    source                 TEXT NOT NULL CHECK (source IN ('form', 'csv', 'api')),
    PRIMARY KEY (location_id, month)
) WITHOUT ROWID;
