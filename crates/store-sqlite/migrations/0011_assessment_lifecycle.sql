-- Factual accuracy: once a draft is sent its findings are locked; a finding
-- reopens only when a challenge to it is accepted, and each change made then is
-- recorded. The provider may say it has no more challenges, so that publishing
-- need not wait for the window to end.

ALTER TABLE assessments ADD COLUMN challenges_finished_by INTEGER REFERENCES users(id);
ALTER TABLE assessments ADD COLUMN challenges_finished_at TEXT;

CREATE TABLE assessment_corrections (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id),
    challenge_id   INTEGER NOT NULL REFERENCES assessment_challenges(id),
    -- a statement ID, a key question's code, or 'overall'
    finding        TEXT NOT NULL,
    before         TEXT NOT NULL,
    after          TEXT NOT NULL,
    corrected_by   INTEGER NOT NULL REFERENCES users(id),
    corrected_at   TEXT NOT NULL
);

CREATE INDEX assessment_corrections_assessment ON assessment_corrections (assessment_id, id);

-- The current (headline) rating is the most recently published, whoever made it;
-- a body's rating of one service group counts only when that body has no
-- location-wide rating. So a Candour rating of one service published after the
-- regulator's location-wide rating replaces it. Recompute it under that rule.
UPDATE locations SET (current_overall, current_rated_on) = (
    SELECT r.overall, r.published FROM ratings r
    WHERE r.location_id = locations.id AND r.overall IS NOT NULL
      AND (r.service_group = 'Overall' OR NOT EXISTS (SELECT 1 FROM ratings o
        WHERE o.location_id = r.location_id AND o.source = r.source AND o.service_group = 'Overall'
        AND o.overall IS NOT NULL))
    ORDER BY r.published DESC, r.service_group = 'Overall' DESC, r.source = 'candour' DESC LIMIT 1)
WHERE id IN (SELECT location_id FROM ratings WHERE source = 'candour');
