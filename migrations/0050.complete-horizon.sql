-- depends: 0041.audit-backfill
-- Answers about the past that never change (issue 25, part 2): the moment up to which each read
-- model holds every record. The projector sets it after a step that reached the head it saw
-- under the event table's lock (projections/runner.py); NULL until then, and again after a
-- rebuild switches slots. A read with known_at past it waits for it, or answers for it.
ALTER TABLE projection_state ADD COLUMN complete_until timestamptz;
