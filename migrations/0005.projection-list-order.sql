-- depends: 0004.projection-items
-- Lists are paged in USCC order: a btree in that order lets a page of a large list stop after
-- `limit` rows instead of sorting every member (the GiST index stays for small lists).
CREATE OR REPLACE FUNCTION projection_create_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text := 'projection_items_' || slot;
BEGIN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gist (uscc, kind, effective, recorded)', t || '_enterprise', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gist (kind, effective, recorded)', t || '_list', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (kind, uscc, subject, fingerprint)', t || '_list_order', t);
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (uscc, fingerprint) WHERE upper_inf(recorded)', t || '_open', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (name gin_trgm_ops) WHERE name IS NOT NULL', t || '_name', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (uscc text_pattern_ops) WHERE name IS NOT NULL', t || '_uscc', t);
END $$;

CREATE OR REPLACE FUNCTION projection_drop_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text := 'projection_items_' || slot; s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['_enterprise', '_list', '_list_order', '_open', '_name', '_uscc'] LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', t || s);
    END LOOP;
END $$;

DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
