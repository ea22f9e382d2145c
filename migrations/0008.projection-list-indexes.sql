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
-- projections/lists.py asks the GiST index first how many members there are (at most
-- SPARSE + 1) and walks the btree only for large answers. A new list kind needs a migration
-- that widens both predicates (tests/integration/test_list_indexes.py checks them).
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

-- Every index of the slot, as the catalogue lists them: no second list of names to keep in step.
CREATE OR REPLACE FUNCTION projection_drop_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    FOR s IN SELECT indexname FROM pg_indexes
             WHERE schemaname = current_schema() AND tablename = 'projection_items_' || slot LOOP
        EXECUTE format('DROP INDEX %I', s);
    END LOOP;
END $$;

-- Only the two list indexes change: the others stay (a migration holds the table's lock).
-- Until a rebuild or autovacuum VACUUMs a slot, index-only scans still visit the heap.
DROP INDEX IF EXISTS projection_items_a_list, projection_items_a_list_order,
                     projection_items_b_list, projection_items_b_list_order;
DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
