-- depends: 0041.audit-backfill
-- Repair cases (issue 21, projections/repair_cases.py): one row per repair application and
-- recorded-time range, stored bitemporally like the public items (two slots behind a view;
-- docs/projections.md). `department` is the competent authority (REP-02), `next_due` the
-- earliest running deadline (none while the clock stands still for a correction).
CREATE TABLE repair_cases_a (
    uscc text NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL,          -- the application_id
    effective daterange NOT NULL,
    recorded tstzrange NOT NULL,
    fingerprint text NOT NULL,
    body jsonb NOT NULL,
    department text NOT NULL,
    state text NOT NULL,
    next_due date
);
CREATE TABLE repair_cases_b (LIKE repair_cases_a INCLUDING ALL);

CREATE FUNCTION repair_cases_index_statements(slot text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT format(d, 'repair_cases_' || slot || n, 'repair_cases_' || slot)
    FROM (VALUES
        (1, '_open', 'CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (uscc, fingerprint) WHERE upper_inf(recorded)'),
        (2, '_by_enterprise', 'CREATE INDEX IF NOT EXISTS %I ON %I (uscc, kind)'),
        (3, '_queue', 'CREATE INDEX IF NOT EXISTS %I ON %I (department, next_due) WHERE upper_inf(recorded)'),
        (4, '_application', 'CREATE INDEX IF NOT EXISTS %I ON %I (subject)')
    ) AS i(k, n, d)
    ORDER BY k
$$;

CREATE FUNCTION repair_cases_drop_indexes(slot text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE i regclass;
BEGIN
    FOR i IN SELECT x.indexrelid::regclass FROM pg_index x
             WHERE x.indrelid = ('repair_cases_' || slot)::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) LOOP
        EXECUTE format('DROP INDEX %s', i);
    END LOOP;
END $$;

DO $$ DECLARE s text; BEGIN
    FOR s IN SELECT repair_cases_index_statements('a') UNION ALL SELECT repair_cases_index_statements('b') LOOP
        EXECUTE s;
    END LOOP;
END $$;

CREATE VIEW repair_cases AS SELECT * FROM repair_cases_a;
INSERT INTO projection_state (name, slot, position, derivation) VALUES ('repair_cases', 'a', 0, 1);
