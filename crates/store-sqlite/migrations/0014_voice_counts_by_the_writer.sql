-- The voice counts (voice_months, voice_counted and each response's counted_no)
-- are kept by the write methods themselves, in the same transaction as the
-- response or its moderation (store-sqlite voice/counts.rs), rather than by
-- triggers: triggers remain only for guarantees (the append-only audit log,
-- immutable published assessments).
DROP TRIGGER voice_months_add;
DROP TRIGGER voice_months_take_away;
DROP TRIGGER voice_months_add_back;
DROP TRIGGER voice_counted_on_arrival;
DROP TRIGGER voice_counted_on_publication;
