-- The people's own rating needs more of each month's counts: dignity and safety
-- answers, responses typed in by staff, and ratings of progress on personal outcomes.
-- Progress counts in the month it was rated, and at most once per outcome in any 90
-- days (a return link cannot be used to pile up "better"): `counted` is decided when
-- the rating is written.
ALTER TABLE voice_months
    ADD COLUMN dignity_n BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN dignity_positive BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN safe_n BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN safe_positive BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN entered BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN progress_n BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN progress_better BIGINT NOT NULL DEFAULT 0,
    -- so that a month with only progress ratings can be added by naming those
    ALTER COLUMN responses SET DEFAULT 0,
    ALTER COLUMN positive SET DEFAULT 0,
    ALTER COLUMN rated SET DEFAULT 0,
    ALTER COLUMN outcome_n SET DEFAULT 0,
    ALTER COLUMN outcome_sum SET DEFAULT 0,
    ALTER COLUMN outcome_sum_sq SET DEFAULT 0,
    ALTER COLUMN stories SET DEFAULT 0,
    ALTER COLUMN critical_stories SET DEFAULT 0,
    ALTER COLUMN speak_up_n SET DEFAULT 0,
    ALTER COLUMN speak_up_sum SET DEFAULT 0,
    ALTER COLUMN speak_up_sum_sq SET DEFAULT 0,
    ALTER COLUMN enough_staff_n SET DEFAULT 0,
    ALTER COLUMN enough_staff_sum SET DEFAULT 0,
    ALTER COLUMN enough_staff_sum_sq SET DEFAULT 0,
    ALTER COLUMN partner_responses SET DEFAULT 0,
    ALTER COLUMN partner_concerns SET DEFAULT 0;

ALTER TABLE outcome_progress ADD COLUMN counted BOOLEAN NOT NULL DEFAULT false;

-- Ratings already stored: one counts when no rating of the same outcome came in the
-- 90 days before it (never more than the rule written with each new rating allows).
UPDATE outcome_progress p SET counted = true WHERE NOT EXISTS (
    SELECT 1 FROM outcome_progress q WHERE q.outcome_id = p.outcome_id
    AND q.rated_at < p.rated_at AND q.rated_at > p.rated_at - interval '90 days');

-- What one response adds to its month, as in 0004, with the new counts at the end.
CREATE OR REPLACE VIEW feedback_tally AS
SELECT id, location_id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
    person::int AS responses,
    (person AND overall IN ('very_good', 'good'))::int AS positive,
    (person AND overall <> 'dont_know')::int AS rated,
    (score IS NOT NULL)::int AS outcome_n,
    COALESCE(score, 0.0) AS outcome_sum,
    COALESCE(score * score, 0.0) AS outcome_sum_sq,
    (story <> '')::int AS stories,
    (story <> '' AND COALESCE(criticality, 0) >= 3)::int AS critical_stories,
    (staff AND q_speak_up IS NOT NULL)::int AS speak_up_n,
    (CASE WHEN staff THEN COALESCE(q_speak_up, 0) ELSE 0 END)::float8 AS speak_up_sum,
    (CASE WHEN staff THEN COALESCE(q_speak_up * q_speak_up, 0) ELSE 0 END)::float8 AS speak_up_sum_sq,
    (staff AND q_enough_staff IS NOT NULL)::int AS enough_staff_n,
    (CASE WHEN staff THEN COALESCE(q_enough_staff, 0) ELSE 0 END)::float8 AS enough_staff_sum,
    (CASE WHEN staff THEN COALESCE(q_enough_staff * q_enough_staff, 0) ELSE 0 END)::float8 AS enough_staff_sum_sq,
    (respondent = 'partner')::int AS partner_responses,
    (respondent = 'partner' AND overall IN ('poor', 'very_poor'))::int AS partner_concerns,
    (person AND q_dignity IS NOT NULL)::int AS dignity_n,
    (person AND COALESCE(q_dignity, 0) >= 2)::int AS dignity_positive,
    (person AND q_safe IS NOT NULL)::int AS safe_n,
    (person AND COALESCE(q_safe, 0) >= 2)::int AS safe_positive,
    (person AND channel IN ('assisted', 'paper'))::int AS entered,
    0 AS progress_n,
    0 AS progress_better
FROM (
    SELECT f.*,
        respondent IN ('person', 'family', 'advocate') AS person,
        respondent = 'staff' AS staff,
        -- the mean of the outcome questions answered ("doesn't apply" is left out)
        CASE WHEN respondent IN ('person', 'family', 'advocate') THEN
            (COALESCE(q_choice, 0) + COALESCE(q_safe, 0) + COALESCE(q_dignity, 0) + COALESCE(q_listened, 0)
             + COALESCE(q_matters, 0) + COALESCE(q_in_touch, 0) + COALESCE(q_reliable, 0)
             + COALESCE(q_information, 0))::float8
            / NULLIF((q_choice IS NOT NULL)::int + (q_safe IS NOT NULL)::int + (q_dignity IS NOT NULL)::int
             + (q_listened IS NOT NULL)::int + (q_matters IS NOT NULL)::int + (q_in_touch IS NOT NULL)::int
             + (q_reliable IS NOT NULL)::int + (q_information IS NOT NULL)::int, 0)
        END AS score
    FROM feedback f
) AS t
WHERE status <> 'rejected';

-- What the counted progress ratings made through one response's link add to the
-- months they were made in; the ratings of a rejected response add nothing.
CREATE VIEW progress_tally AS
SELECT o.feedback_id, f.location_id, to_char(p.rated_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
    1 AS progress_n,
    (p.progress = 'better')::int AS progress_better
FROM outcome_progress p
JOIN personal_outcomes o ON o.id = p.outcome_id
JOIN feedback f ON f.id = o.feedback_id
WHERE p.counted AND f.status <> 'rejected';

-- Every month counted again with the new columns.
UPDATE voice_months v SET dignity_n = t.dignity_n, dignity_positive = t.dignity_positive, safe_n = t.safe_n,
    safe_positive = t.safe_positive, entered = t.entered
FROM (SELECT location_id, month, SUM(dignity_n) AS dignity_n, SUM(dignity_positive) AS dignity_positive,
          SUM(safe_n) AS safe_n, SUM(safe_positive) AS safe_positive, SUM(entered) AS entered
      FROM feedback_tally GROUP BY location_id, month) AS t
WHERE v.location_id = t.location_id AND v.month = t.month;

INSERT INTO voice_months (location_id, month, progress_n, progress_better)
SELECT location_id, month, SUM(progress_n), SUM(progress_better) FROM progress_tally GROUP BY location_id, month
ON CONFLICT (location_id, month) DO UPDATE SET
    progress_n = excluded.progress_n, progress_better = excluded.progress_better;
