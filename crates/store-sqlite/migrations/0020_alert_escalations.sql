-- Each step of an unacknowledged safeguarding alert's escalation: when, why and to
-- whom (the emails themselves are outbox rows linked to the alert). One row per step:
-- two senders looking at once cannot take the same step twice.
CREATE TABLE alert_escalations (
    alert_id      INTEGER NOT NULL REFERENCES alerts(id),
    step          INTEGER NOT NULL CHECK (step >= 1),
    escalated_at  TEXT NOT NULL,
    reason        TEXT NOT NULL,
    sent_to       TEXT NOT NULL,
    PRIMARY KEY (alert_id, step)
);
