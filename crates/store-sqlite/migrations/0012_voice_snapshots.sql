-- Published voice figures move in batches, so that reading them before and after
-- one response cannot tell what that person answered. A response counts once it
-- is published (a moderator published its story, or it had no text to read); the
-- public figures of a service are those of the responses counted by its latest
-- snapshot.

-- How many responses of each service count, kept by triggers in the same
-- transaction as the feedback (responses are published at most once: moderation
-- acts only on pending ones).
CREATE TABLE voice_counted (
    location_id  TEXT PRIMARY KEY,
    counted      INTEGER NOT NULL
) WITHOUT ROWID;

-- Each published response's place in its service's count: the n-th to count.
ALTER TABLE feedback ADD COLUMN counted_no INTEGER;

UPDATE feedback SET counted_no = t.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY location_id ORDER BY COALESCE(moderated_at, received_at), id) AS n
      FROM feedback WHERE status = 'published') AS t
WHERE feedback.id = t.id;

INSERT INTO voice_counted
SELECT location_id, COUNT(*) FROM feedback WHERE status = 'published' GROUP BY location_id;

CREATE TRIGGER voice_counted_on_arrival AFTER INSERT ON feedback WHEN NEW.status = 'published' BEGIN
    INSERT INTO voice_counted VALUES (NEW.location_id, 1)
    ON CONFLICT (location_id) DO UPDATE SET counted = counted + 1;
    UPDATE feedback SET counted_no = (SELECT counted FROM voice_counted WHERE location_id = NEW.location_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER voice_counted_on_publication AFTER UPDATE OF status ON feedback
WHEN OLD.status <> 'published' AND NEW.status = 'published' BEGIN
    INSERT INTO voice_counted VALUES (NEW.location_id, 1)
    ON CONFLICT (location_id) DO UPDATE SET counted = counted + 1;
    UPDATE feedback SET counted_no = (SELECT counted FROM voice_counted WHERE location_id = NEW.location_id)
    WHERE id = NEW.id;
END;

-- The latest snapshot of each service: when it was taken and how many responses
-- counted then (those numbered up to it are in its figures). None until a service
-- has its first batch.
CREATE TABLE voice_snapshots (
    location_id  TEXT PRIMARY KEY,
    taken_at     TEXT NOT NULL,
    counted      INTEGER NOT NULL
) WITHOUT ROWID;
