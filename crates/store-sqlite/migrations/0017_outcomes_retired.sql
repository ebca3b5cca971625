-- A person may add personal outcomes through their return link later, and stop
-- tracking one (its ratings are kept): it is then retired, and cannot be rated.
ALTER TABLE personal_outcomes ADD COLUMN retired_at TEXT;
