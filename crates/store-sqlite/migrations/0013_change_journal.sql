-- The change journal: every write that feeds monitoring, the directory or a public
-- page appends a row in the same transaction. Followers (the live monitor, the
-- directory index) read the rows after the last sequence they reflected, whichever
-- process wrote them. AUTOINCREMENT: a sequence number is never used twice, even
-- once old rows are pruned.
CREATE TABLE changes (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    location_id  TEXT,
    kind         TEXT NOT NULL,
    at           TEXT NOT NULL
);
