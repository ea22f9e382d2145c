-- depends: 0006.projection-failures
-- The rows of one enterprise are few (tens): a btree on (uscc, kind) finds them and the range
-- conditions filter them, as fast as the GiST index on (uscc, kind, effective, recorded) it
-- replaces, which took most of a rebuild's time to build (4 s of 6 s for 100,000 events on
-- PostgreSQL 15, where GiST builds by repeated insertion). The GiST index on
-- (kind, effective, recorded) stays: a list spans many enterprises, and dates select few rows.
--
-- The statements are listed by projection_index_statements so that `credit-ledger rebuild`
-- can run them on several connections at once (the GiST build alone takes as long as the rest).
CREATE FUNCTION projection_index_statements(slot text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT format(d, 'projection_items_' || slot || n, 'projection_items_' || slot)
    FROM (VALUES
        (1, '_list', 'CREATE INDEX IF NOT EXISTS %I ON %I USING gist (kind, effective, recorded)'),
        (2, '_by_enterprise', 'CREATE INDEX IF NOT EXISTS %I ON %I (uscc, kind)'),
        (3, '_list_order', 'CREATE INDEX IF NOT EXISTS %I ON %I (kind, uscc, subject, fingerprint)'),
        (4, '_open', 'CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (uscc, fingerprint) WHERE upper_inf(recorded)'),
        (5, '_name', 'CREATE INDEX IF NOT EXISTS %I ON %I USING gin (name gin_trgm_ops) WHERE name IS NOT NULL'),
        (6, '_uscc', 'CREATE INDEX IF NOT EXISTS %I ON %I (uscc text_pattern_ops) WHERE name IS NOT NULL')
    ) AS i(k, n, d)
    ORDER BY k
$$;

CREATE OR REPLACE FUNCTION projection_create_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    FOR s IN SELECT projection_index_statements(slot) LOOP
        EXECUTE s;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION projection_drop_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text := 'projection_items_' || slot; s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['_enterprise', '_by_enterprise', '_list', '_list_order', '_open', '_name', '_uscc'] LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', t || s);
    END LOOP;
END $$;

DROP INDEX IF EXISTS projection_items_a_enterprise;
DROP INDEX IF EXISTS projection_items_b_enterprise;
DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
