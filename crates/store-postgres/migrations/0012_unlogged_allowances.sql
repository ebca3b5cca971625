-- Allowances are rate limits, not records: one lost in a crash only lets a client
-- start afresh. Unlogged, taking one writes no WAL and waits for no disk flush.
-- (Unlogged tables are not copied to replicas; allowances are read on the primary.)
ALTER TABLE allowances SET UNLOGGED;
