-- depends: 0007.projection-enterprise-btree
-- List pages read only list indexes (docs/projections.md, "Indexes"; docs/performance.md,
-- "Lists at scale"). Both list indexes are partial (the four list kinds are a few per cent of
-- the rows) and carry every column a page filters or orders on, so that PostgreSQL answers from
-- the index alone (index-only scans; the rebuild VACUUMs the new slot so that its pages are
-- all-visible):
--   _list        GiST (kind, effective, recorded) INCLUDE the member's key: the answers with few
--                members, found by the dates, and `changes`;
--   _list_order  btree (kind, uscc, subject, fingerprint) INCLUDE the ranges: the pages of large
--                answers in USCC order, which stop after `limit` members.
-- projections/lists.py seeks a page in the head of the btree, then among the GiST hits of a
-- sparse answer, then by walking the btree to the end. A new list kind needs a migration that
-- widens both predicates (tests/integration/test_list_pages.py checks them).
CREATE OR REPLACE FUNCTION projection_index_statements(slot text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT format(d, 'projection_items_' || slot || n, 'projection_items_' || slot)
    FROM (VALUES
        (1, '_list', 'CREATE INDEX IF NOT EXISTS %I ON %I USING gist (kind, effective, recorded) '
            'INCLUDE (uscc, subject, fingerprint) '
            'WHERE kind IN (''key_sector_list'', ''abnormal_list'', ''serious_list'', ''exposure_board'')'),
        (2, '_by_enterprise', 'CREATE INDEX IF NOT EXISTS %I ON %I (uscc, kind)'),
        (3, '_list_order', 'CREATE INDEX IF NOT EXISTS %I ON %I (kind, uscc, subject, fingerprint) '
            'INCLUDE (effective, recorded) '
            'WHERE kind IN (''key_sector_list'', ''abnormal_list'', ''serious_list'', ''exposure_board'')'),
        (4, '_open', 'CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (uscc, fingerprint) WHERE upper_inf(recorded)'),
        (5, '_name', 'CREATE INDEX IF NOT EXISTS %I ON %I USING gin (name gin_trgm_ops) WHERE name IS NOT NULL'),
        (6, '_uscc', 'CREATE INDEX IF NOT EXISTS %I ON %I (uscc text_pattern_ops) WHERE name IS NOT NULL')
    ) AS i(k, n, d)
    ORDER BY k
$$;

-- The slot's indexes as the catalogue knows them (no second list of names to keep in step);
-- those behind a constraint stay.
CREATE OR REPLACE FUNCTION projection_drop_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE i regclass;
BEGIN
    FOR i IN SELECT x.indexrelid::regclass FROM pg_index x
             WHERE x.indrelid = ('projection_items_' || slot)::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) LOOP
        EXECUTE format('DROP INDEX %s', i);
    END LOOP;
END $$;

-- The new list indexes are built beside the old ones (CREATE INDEX blocks the projector's
-- writes, not readers; renaming an index takes a SHARE UPDATE EXCLUSIVE lock, which readers
-- pass), and the old ones dropped last: readers wait only for that, at the very end.
ALTER INDEX IF EXISTS projection_items_a_list RENAME TO projection_items_a_list_0007;
ALTER INDEX IF EXISTS projection_items_a_list_order RENAME TO projection_items_a_list_order_0007;
ALTER INDEX IF EXISTS projection_items_b_list RENAME TO projection_items_b_list_0007;
ALTER INDEX IF EXISTS projection_items_b_list_order RENAME TO projection_items_b_list_order_0007;
DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
DROP INDEX IF EXISTS projection_items_a_list_0007, projection_items_a_list_order_0007,
           projection_items_b_list_0007, projection_items_b_list_order_0007;
-- Index-only scans skip the heap only on pages a VACUUM marked all-visible: the rebuild
-- VACUUMs its slot, and autovacuum visits a slot after 1 % new rows here instead of 20 % (it
-- skips the pages already all-visible, so a visit to a large slot is cheap), so that list pages
-- stay index-only while the projector writes.
ALTER TABLE projection_items_a SET (autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE projection_items_b SET (autovacuum_vacuum_insert_scale_factor = 0.01);
