-- depends: 0001.event-store
-- Interval read models (issue 4, docs/projections.md). Every derived, dated item of an
-- enterprise is one row with an effective-date range (valid time) and a recorded-time range
-- (when the ledger held it). Rows are written by the projector (projections/runner.py); an
-- open recorded range (upper bound infinite) is what the ledger holds now.
--
-- Two physical slots, projection_items_a and _b, behind the view projection_items: readers
-- use the view; `credit-ledger rebuild` fills the idle slot and switches the view in one
-- transaction (no downtime), projection_state says which slot is live and up to which
-- notification_id of the event log it holds.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE projection_state (
    name text PRIMARY KEY,
    slot text NOT NULL CHECK (slot IN ('a', 'b')),
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION projection_create_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text := 'projection_items_' || slot;
BEGIN
    -- public view of one enterprise: uscc = … AND effective @> as_of AND recorded @> known_at
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gist (uscc, kind, effective, recorded)', t || '_enterprise', t);
    -- lists: kind = … AND effective @> as_of AND recorded @> known_at
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gist (kind, effective, recorded)', t || '_list', t);
    -- the projector: the rows an enterprise holds now
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (uscc, fingerprint) WHERE upper_inf(recorded)', t || '_open', t);
    -- search by part of the name (Chinese text: trigram) or by USCC prefix
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (name gin_trgm_ops) WHERE name IS NOT NULL', t || '_name', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (uscc text_pattern_ops) WHERE name IS NOT NULL', t || '_uscc', t);
END $$;

CREATE FUNCTION projection_drop_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text := 'projection_items_' || slot; s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['_enterprise', '_list', '_open', '_name', '_uscc'] LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', t || s);
    END LOOP;
END $$;

-- Keyed by enterprise (uscc leads every index) so that it can be hash-partitioned later.
CREATE TABLE projection_items_a (
    uscc text NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL,
    effective daterange NOT NULL,
    recorded tstzrange NOT NULL,
    fingerprint text NOT NULL,
    district text,            -- basic_info rows only (list filter)
    name text,                -- basic_info rows only (search, list member names)
    body jsonb NOT NULL
);
CREATE TABLE projection_items_b (LIKE projection_items_a INCLUDING ALL);
DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;

CREATE VIEW projection_items AS SELECT * FROM projection_items_a;
INSERT INTO projection_state (name, slot, position) VALUES ('items', 'a', 0);
