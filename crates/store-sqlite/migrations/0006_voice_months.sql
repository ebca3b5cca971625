-- Monitoring reads people's, staff and partners' voice as counts per location
-- and calendar month (UTC), kept here by triggers in the same transaction as every
-- write to feedback, so that a national recompute reads one row per location and
-- month instead of every response. The counts are those of the domain's VoiceMonth.

-- What one response adds to its month; rejected responses add nothing.
CREATE VIEW feedback_tally AS
SELECT id, location_id, substr(received_at, 1, 7) AS month,
    person AS responses,
    person AND overall IN ('very_good', 'good') AS positive,
    person AND overall <> 'dont_know' AS rated,
    score IS NOT NULL AS outcome_n,
    IFNULL(score, 0.0) AS outcome_sum,
    IFNULL(score * score, 0.0) AS outcome_sum_sq,
    story <> '' AS stories,
    story <> '' AND IFNULL(criticality, 0) >= 3 AS critical_stories,
    staff AND q_speak_up IS NOT NULL AS speak_up_n,
    IIF(staff, IFNULL(q_speak_up, 0), 0) * 1.0 AS speak_up_sum,
    IIF(staff, IFNULL(q_speak_up * q_speak_up, 0), 0) * 1.0 AS speak_up_sum_sq,
    staff AND q_enough_staff IS NOT NULL AS enough_staff_n,
    IIF(staff, IFNULL(q_enough_staff, 0), 0) * 1.0 AS enough_staff_sum,
    IIF(staff, IFNULL(q_enough_staff * q_enough_staff, 0), 0) * 1.0 AS enough_staff_sum_sq,
    respondent = 'partner' AS partner_responses,
    respondent = 'partner' AND overall IN ('poor', 'very_poor') AS partner_concerns
FROM (
    SELECT *,
        respondent IN ('person', 'family', 'advocate') AS person,
        respondent = 'staff' AS staff,
        -- the mean of the outcome questions answered ("doesn't apply" is left out)
        IIF(respondent IN ('person', 'family', 'advocate'),
            (IFNULL(q_choice, 0) + IFNULL(q_safe, 0) + IFNULL(q_dignity, 0) + IFNULL(q_listened, 0)
             + IFNULL(q_matters, 0) + IFNULL(q_in_touch, 0) + IFNULL(q_reliable, 0) + IFNULL(q_information, 0))
            * 1.0 / NULLIF((q_choice IS NOT NULL) + (q_safe IS NOT NULL) + (q_dignity IS NOT NULL)
             + (q_listened IS NOT NULL) + (q_matters IS NOT NULL) + (q_in_touch IS NOT NULL)
             + (q_reliable IS NOT NULL) + (q_information IS NOT NULL), 0),
            NULL) AS score
    FROM feedback
)
WHERE status <> 'rejected';

CREATE TABLE voice_months (
    location_id          TEXT NOT NULL,
    month                TEXT NOT NULL,
    responses            INTEGER NOT NULL,
    positive             INTEGER NOT NULL,
    rated                INTEGER NOT NULL,
    outcome_n            INTEGER NOT NULL,
    outcome_sum          REAL NOT NULL,
    outcome_sum_sq       REAL NOT NULL,
    stories              INTEGER NOT NULL,
    critical_stories     INTEGER NOT NULL,
    speak_up_n           INTEGER NOT NULL,
    speak_up_sum         REAL NOT NULL,
    speak_up_sum_sq      REAL NOT NULL,
    enough_staff_n       INTEGER NOT NULL,
    enough_staff_sum     REAL NOT NULL,
    enough_staff_sum_sq  REAL NOT NULL,
    partner_responses    INTEGER NOT NULL,
    partner_concerns     INTEGER NOT NULL,
    PRIMARY KEY (location_id, month)
) WITHOUT ROWID;

-- The counts of the responses already stored. Bulk loads of history count their
-- services' months again with this same statement (store-sqlite voice/historic.rs).
INSERT INTO voice_months
SELECT location_id, month,
    SUM(responses), SUM(positive), SUM(rated), SUM(outcome_n), TOTAL(outcome_sum),
    TOTAL(outcome_sum_sq), SUM(stories), SUM(critical_stories), SUM(speak_up_n),
    TOTAL(speak_up_sum), TOTAL(speak_up_sum_sq), SUM(enough_staff_n), TOTAL(enough_staff_sum),
    TOTAL(enough_staff_sum_sq), SUM(partner_responses), SUM(partner_concerns)
FROM feedback_tally GROUP BY location_id, month;

-- A response counts when written and again when moderation changes its status
-- or criticality: its old contribution is taken away before the change and the
-- new one added after it.
CREATE TRIGGER voice_months_add AFTER INSERT ON feedback BEGIN
    INSERT INTO voice_months
    SELECT location_id, month,
        responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories,
        critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n,
        enough_staff_sum, enough_staff_sum_sq, partner_responses, partner_concerns
    FROM feedback_tally WHERE id = NEW.id
    ON CONFLICT (location_id, month) DO UPDATE SET
        responses = responses + excluded.responses,
        positive = positive + excluded.positive,
        rated = rated + excluded.rated,
        outcome_n = outcome_n + excluded.outcome_n,
        outcome_sum = outcome_sum + excluded.outcome_sum,
        outcome_sum_sq = outcome_sum_sq + excluded.outcome_sum_sq,
        stories = stories + excluded.stories,
        critical_stories = critical_stories + excluded.critical_stories,
        speak_up_n = speak_up_n + excluded.speak_up_n,
        speak_up_sum = speak_up_sum + excluded.speak_up_sum,
        speak_up_sum_sq = speak_up_sum_sq + excluded.speak_up_sum_sq,
        enough_staff_n = enough_staff_n + excluded.enough_staff_n,
        enough_staff_sum = enough_staff_sum + excluded.enough_staff_sum,
        enough_staff_sum_sq = enough_staff_sum_sq + excluded.enough_staff_sum_sq,
        partner_responses = partner_responses + excluded.partner_responses,
        partner_concerns = partner_concerns + excluded.partner_concerns;
END;

CREATE TRIGGER voice_months_take_away BEFORE UPDATE OF status, criticality ON feedback BEGIN
    UPDATE voice_months SET
        responses = voice_months.responses - t.responses,
        positive = voice_months.positive - t.positive,
        rated = voice_months.rated - t.rated,
        outcome_n = voice_months.outcome_n - t.outcome_n,
        outcome_sum = voice_months.outcome_sum - t.outcome_sum,
        outcome_sum_sq = voice_months.outcome_sum_sq - t.outcome_sum_sq,
        stories = voice_months.stories - t.stories,
        critical_stories = voice_months.critical_stories - t.critical_stories,
        speak_up_n = voice_months.speak_up_n - t.speak_up_n,
        speak_up_sum = voice_months.speak_up_sum - t.speak_up_sum,
        speak_up_sum_sq = voice_months.speak_up_sum_sq - t.speak_up_sum_sq,
        enough_staff_n = voice_months.enough_staff_n - t.enough_staff_n,
        enough_staff_sum = voice_months.enough_staff_sum - t.enough_staff_sum,
        enough_staff_sum_sq = voice_months.enough_staff_sum_sq - t.enough_staff_sum_sq,
        partner_responses = voice_months.partner_responses - t.partner_responses,
        partner_concerns = voice_months.partner_concerns - t.partner_concerns
    FROM (SELECT * FROM feedback_tally WHERE id = OLD.id) AS t
    WHERE voice_months.location_id = t.location_id AND voice_months.month = t.month;
END;

CREATE TRIGGER voice_months_add_back AFTER UPDATE OF status, criticality ON feedback BEGIN
    INSERT INTO voice_months
    SELECT location_id, month,
        responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories,
        critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n,
        enough_staff_sum, enough_staff_sum_sq, partner_responses, partner_concerns
    FROM feedback_tally WHERE id = NEW.id
    ON CONFLICT (location_id, month) DO UPDATE SET
        responses = responses + excluded.responses,
        positive = positive + excluded.positive,
        rated = rated + excluded.rated,
        outcome_n = outcome_n + excluded.outcome_n,
        outcome_sum = outcome_sum + excluded.outcome_sum,
        outcome_sum_sq = outcome_sum_sq + excluded.outcome_sum_sq,
        stories = stories + excluded.stories,
        critical_stories = critical_stories + excluded.critical_stories,
        speak_up_n = speak_up_n + excluded.speak_up_n,
        speak_up_sum = speak_up_sum + excluded.speak_up_sum,
        speak_up_sum_sq = speak_up_sum_sq + excluded.speak_up_sum_sq,
        enough_staff_n = enough_staff_n + excluded.enough_staff_n,
        enough_staff_sum = enough_staff_sum + excluded.enough_staff_sum,
        enough_staff_sum_sq = enough_staff_sum_sq + excluded.enough_staff_sum_sq,
        partner_responses = partner_responses + excluded.partner_responses,
        partner_concerns = partner_concerns + excluded.partner_concerns;
END;
