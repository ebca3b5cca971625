-- The people's own rating needs more of each month's counts: dignity and safety
-- answers, responses typed in by staff, and ratings of progress on personal outcomes.
-- Progress counts in the month it was rated, and at most once per outcome in any 90
-- days (a return link cannot be used to pile up "better"): `counted` is decided when
-- the rating is written.
ALTER TABLE voice_months ADD COLUMN dignity_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_months ADD COLUMN dignity_positive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_months ADD COLUMN safe_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_months ADD COLUMN safe_positive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_months ADD COLUMN entered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_months ADD COLUMN progress_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE voice_months ADD COLUMN progress_better INTEGER NOT NULL DEFAULT 0;

ALTER TABLE outcome_progress ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;

-- Ratings already stored: one counts when no rating of the same outcome came in the
-- 90 days before it (never more than the rule written with each new rating allows).
UPDATE outcome_progress SET counted = 1 WHERE NOT EXISTS (
    SELECT 1 FROM outcome_progress q WHERE q.outcome_id = outcome_progress.outcome_id
    AND q.rated_at < outcome_progress.rated_at
    AND julianday(q.rated_at) > julianday(outcome_progress.rated_at) - 90);

-- What one response adds to its month, as in 0006, with the new counts; rejected
-- responses add nothing. The columns are in voice_months' order.
DROP VIEW feedback_tally;
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
    respondent = 'partner' AND overall IN ('poor', 'very_poor') AS partner_concerns,
    person AND q_dignity IS NOT NULL AS dignity_n,
    person AND IFNULL(q_dignity, 0) >= 2 AS dignity_positive,
    person AND q_safe IS NOT NULL AS safe_n,
    person AND IFNULL(q_safe, 0) >= 2 AS safe_positive,
    person AND channel IN ('assisted', 'paper') AS entered,
    0 AS progress_n,
    0 AS progress_better
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

-- What one counted progress rating adds to the month it was made in, with the same
-- columns; the ratings of a rejected response add nothing.
CREATE VIEW progress_tally AS
SELECT p.rowid AS id, o.feedback_id, f.location_id, substr(p.rated_at, 1, 7) AS month,
    0 AS responses, 0 AS positive, 0 AS rated, 0 AS outcome_n, 0.0 AS outcome_sum, 0.0 AS outcome_sum_sq,
    0 AS stories, 0 AS critical_stories, 0 AS speak_up_n, 0.0 AS speak_up_sum, 0.0 AS speak_up_sum_sq,
    0 AS enough_staff_n, 0.0 AS enough_staff_sum, 0.0 AS enough_staff_sum_sq, 0 AS partner_responses,
    0 AS partner_concerns, 0 AS dignity_n, 0 AS dignity_positive, 0 AS safe_n, 0 AS safe_positive, 0 AS entered,
    1 AS progress_n,
    p.progress = 'better' AS progress_better
FROM outcome_progress p
JOIN personal_outcomes o ON o.id = p.outcome_id
JOIN feedback f ON f.id = o.feedback_id
WHERE p.counted AND f.status <> 'rejected';

-- Everything a month counts, for counting months again from scratch.
CREATE VIEW month_tally AS
SELECT location_id, month, responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories,
    critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n, enough_staff_sum,
    enough_staff_sum_sq, partner_responses, partner_concerns, dignity_n, dignity_positive, safe_n,
    safe_positive, entered, progress_n, progress_better FROM feedback_tally
UNION ALL
SELECT location_id, month, responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, stories,
    critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n, enough_staff_sum,
    enough_staff_sum_sq, partner_responses, partner_concerns, dignity_n, dignity_positive, safe_n,
    safe_positive, entered, progress_n, progress_better FROM progress_tally;

-- Every month counted again with the new columns, as bulk loads count their services'
-- months (store-sqlite voice/historic.rs).
DELETE FROM voice_months;
INSERT INTO voice_months
SELECT location_id, month,
    SUM(responses), SUM(positive), SUM(rated), SUM(outcome_n), TOTAL(outcome_sum), TOTAL(outcome_sum_sq),
    SUM(stories), SUM(critical_stories), SUM(speak_up_n), TOTAL(speak_up_sum), TOTAL(speak_up_sum_sq),
    SUM(enough_staff_n), TOTAL(enough_staff_sum), TOTAL(enough_staff_sum_sq), SUM(partner_responses),
    SUM(partner_concerns), SUM(dignity_n), SUM(dignity_positive), SUM(safe_n), SUM(safe_positive), SUM(entered),
    SUM(progress_n), SUM(progress_better)
FROM month_tally GROUP BY location_id, month;
