-- Concerns and complaints: each kept with the policy and deadlines it was
-- received under, the hash of its follow link's secret (never the secret), its
-- escalations and a timeline of every step. Dates are 'YYYY-MM-DD', so text
-- order is time order.

CREATE TABLE complaints (
    id                  INTEGER PRIMARY KEY,
    location_id         TEXT NOT NULL REFERENCES locations(id),
    reference           TEXT NOT NULL UNIQUE,
    follow_hash         TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL
        CHECK (status IN ('received', 'acknowledged', 'investigating', 'response_sent', 'closed')),
    channel             TEXT NOT NULL CHECK (channel IN ('online', 'phone', 'letter', 'email', 'in_person')),
    relationship        TEXT NOT NULL CHECK (relationship IN ('person', 'family', 'advocate', 'staff', 'other')),
    received_on         TEXT NOT NULL,
    what_happened       TEXT NOT NULL,
    desired_outcome     TEXT NOT NULL,
    contact_name        TEXT NOT NULL,
    contact_email       TEXT,
    contact_phone       TEXT,
    -- the policy, in working days, that produced the deadlines
    acknowledge_within  INTEGER NOT NULL CHECK (acknowledge_within >= 0),
    respond_within      INTEGER NOT NULL CHECK (respond_within >= 0),
    acknowledge_by      TEXT NOT NULL,
    respond_by          TEXT NOT NULL,
    agreed_response_by  TEXT,
    acknowledged_on     TEXT,
    investigating_on    TEXT,
    response_sent_on    TEXT,
    response            TEXT,
    closed_on           TEXT,
    outcome             TEXT CHECK (outcome IN ('upheld', 'partly_upheld', 'not_upheld')),
    learned             TEXT,
    alert_level         INTEGER CHECK (alert_level BETWEEN 0 AND 5),
    alert_reason        TEXT,
    -- the member of staff who logged it; NULL when raised online
    logged_by           INTEGER REFERENCES users(id),
    created_at          TEXT NOT NULL
);

CREATE INDEX complaints_location ON complaints (location_id, received_on);
CREATE INDEX complaints_received ON complaints (received_on);

CREATE TABLE complaint_escalations (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    escalated_to  TEXT NOT NULL CHECK (escalated_to IN ('local_authority', 'ombudsman')),
    escalated_on  TEXT NOT NULL,
    reference     TEXT NOT NULL,
    result        TEXT,
    result_on     TEXT
);

CREATE INDEX complaint_escalations_complaint ON complaint_escalations (complaint_id);

CREATE TABLE complaint_events (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
    step          TEXT NOT NULL,
    on_date       TEXT NOT NULL,
    by_user       INTEGER REFERENCES users(id),
    at            TEXT NOT NULL,
    detail        TEXT NOT NULL
);

CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);
