-- depends: 0008.projection-list-indexes
-- List pages with a district or sector condition read facet rows (projections/items.py,
-- `facets`): each list row split by the enterprise's district, and (lists other than the
-- key-sector list) by its key sector, over the stretches of effective time where each holds.
-- `facet` holds the district code or sector, `member` the list row's fingerprint (pages are
-- ordered, and cursors keyed, by the list row); their indexes come in 0010, apart, because
-- this migration locks the slots against readers until it commits (ADD COLUMN) and must be
-- quick: it waits 30 s at most for a long reader, then fails and can be run again.
SET LOCAL lock_timeout = '30s';
ALTER TABLE projection_items_a ADD COLUMN facet text, ADD COLUMN member text;
ALTER TABLE projection_items_b ADD COLUMN facet text, ADD COLUMN member text;
-- Which derivation wrote each row (store.DERIVATION), with no default: a process still running
-- the code from before this migration cannot write rows any more (its COPY names the columns it
-- knows, so the NOT NULL refuses them) instead of closing facets it does not know of.
ALTER TABLE projection_items_a ADD COLUMN derivation smallint NOT NULL DEFAULT 1;
ALTER TABLE projection_items_a ALTER COLUMN derivation DROP DEFAULT;
ALTER TABLE projection_items_b ADD COLUMN derivation smallint NOT NULL DEFAULT 1;
ALTER TABLE projection_items_b ALTER COLUMN derivation DROP DEFAULT;
-- A view's `*` is expanded when it is created: the live slot's view again, with the new columns.
DO $$
BEGIN
    EXECUTE format('CREATE OR REPLACE VIEW projection_items AS SELECT * FROM %I',
                   'projection_items_' || (SELECT slot FROM projection_state WHERE name = 'items'));
END $$;

-- Which derivation the live slot holds: 2 = with facets. Rows projected before this migration
-- have none, so list pages keep the probing query (projections/lists.py) until a rebuild
-- (`credit-ledger rebuild` sets it); a ledger with nothing projected yet starts at 2.
ALTER TABLE projection_state ADD COLUMN derivation integer NOT NULL DEFAULT 1;
UPDATE projection_state SET derivation = 2
WHERE name = 'items' AND NOT EXISTS (SELECT 1 FROM projection_items_a) AND NOT EXISTS (SELECT 1 FROM projection_items_b);
