-- depends: 0012.projection-name-pairs-inlined
-- Issue 18 changes what the rules derive (projections/public_items.py, LEGAL_FIDELITY = 3). Rows projected
-- by earlier code keep their answers until `credit-ledger rebuild`, which the status reports as
-- rebuild_needed; a ledger with nothing projected yet has no such rows and starts at 3.
UPDATE projection_state SET derivation = 3
WHERE name = 'items' AND NOT EXISTS (SELECT 1 FROM projection_items_a) AND NOT EXISTS (SELECT 1 FROM projection_items_b);
