-- depends: 0009.projection-list-facets
-- The facet rows' own partial indexes (0009, docs/projections.md "Tables"): a page with a district
-- or sector condition walks them as a plain page walks the list indexes (0008). CREATE INDEX takes
-- a SHARE lock, which blocks the projector's writes while it runs, not readers.
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
