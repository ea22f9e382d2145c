-- depends: 0010.projection-facet-indexes
-- Name search by two characters (GSXT-02 accepts them; Chinese names are searched by short parts).
-- The trigram index (0008) cannot find a part shorter than three characters: such a search walked
-- every name, seconds at the design point. Each name's pairs of adjacent characters, lower-cased,
-- go in a GIN index of their own; a two-character search looks its pair up there
-- (projections/lists.py `search`). Only pg_catalog functions in the body: index builds run with a
-- restricted search_path (PostgreSQL 17+). CREATE INDEX blocks the projector's writes meanwhile.
CREATE OR REPLACE FUNCTION name_pairs(name text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(pg_catalog.lower(pg_catalog.substr(name, i, 2))), '{}')
    FROM pg_catalog.generate_series(1, pg_catalog.char_length(name) - 1) AS i
$$;

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
            'INCLUDE (effective, recorded) WHERE facet IS NOT NULL'),
        (9, '_name_pairs', 'CREATE INDEX IF NOT EXISTS %I ON %I USING gin (name_pairs(name)) WHERE name IS NOT NULL')
    ) AS i(k, n, d)
    ORDER BY k
$$;

DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
