-- depends: 0008.projection-list-indexes
-- List pages with a district or sector condition read facet rows (projections/items.py,
-- `facets`): each list row split by the enterprise's district, and (lists other than the
-- key-sector list) by its key sector, over the stretches of effective time where each holds.
-- Their own two partial indexes find a page without probing each candidate's other rows
-- (docs/performance.md, "Lists at scale"); `facet` holds the district code or sector, `member`
-- the list row's fingerprint (pages are ordered, and cursors keyed, by the list row).
ALTER TABLE projection_items_a ADD COLUMN IF NOT EXISTS facet text, ADD COLUMN IF NOT EXISTS member text;
ALTER TABLE projection_items_b ADD COLUMN IF NOT EXISTS facet text, ADD COLUMN IF NOT EXISTS member text;
-- A view's `*` is expanded when it is created: the live slot's view again, with the new columns.
DO $$
BEGIN
    EXECUTE format('CREATE OR REPLACE VIEW projection_items AS SELECT * FROM %I',
                   'projection_items_' || (SELECT slot FROM projection_state WHERE name = 'items'));
END $$;

-- Which derivation the live slot holds: 2 = with facets. Rows projected before this migration
-- have none, so list pages keep the probing query (projections/lists.py) until a rebuild
-- (`credit-ledger rebuild` sets it); a ledger with nothing projected yet starts at 2.
ALTER TABLE projection_state ADD COLUMN IF NOT EXISTS derivation integer NOT NULL DEFAULT 1;
UPDATE projection_state SET derivation = 2
WHERE name = 'items' AND NOT EXISTS (SELECT 1 FROM projection_items_a) AND NOT EXISTS (SELECT 1 FROM projection_items_b);

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
        (6, '_uscc', 'CREATE INDEX IF NOT EXISTS %I ON %I (uscc text_pattern_ops) WHERE name IS NOT NULL'),
        (7, '_facet', 'CREATE INDEX IF NOT EXISTS %I ON %I USING gist (kind, facet, effective, recorded) '
            'INCLUDE (uscc, subject, member) WHERE facet IS NOT NULL'),
        (8, '_facet_order', 'CREATE INDEX IF NOT EXISTS %I ON %I (kind, facet, uscc, subject, member) '
            'INCLUDE (effective, recorded) WHERE facet IS NOT NULL')
    ) AS i(k, n, d)
    ORDER BY k
$$;

DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
