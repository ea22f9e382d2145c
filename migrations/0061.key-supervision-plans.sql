-- depends: 0060.draws
-- Key-supervision plans (issue 20, docs/draws.md; S-TJ28 五(八)2): dated, immutable versions like
-- the item list; each enterprise list is derived from the ledger as of a date, never stored.
CREATE TABLE key_supervision_plans (
    plan_id text NOT NULL,
    effective_from date NOT NULL,
    digest text NOT NULL,
    body jsonb NOT NULL,
    source text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (plan_id, effective_from)
);
