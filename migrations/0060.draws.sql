-- depends: 0041.audit-backfill
-- Random draws (issue 20, docs/draws.md; rulebook §10): the random-inspection item list (DR-01)
-- and the inspector directory (DR-02) as dated versions. A version is immutable (the same key
-- with other content is refused); rows are never updated, so what the ledger knew at a moment
-- stays answerable (`loaded_at`). Draw tasks themselves are aggregates in ledger_events.
CREATE TABLE inspection_items (
    item_id text NOT NULL,
    effective_from date NOT NULL,
    digest text NOT NULL,
    body jsonb NOT NULL,
    source text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (item_id, effective_from)
);

CREATE TABLE inspectors (
    id text NOT NULL,
    effective_from date NOT NULL,
    digest text NOT NULL,
    body jsonb NOT NULL,
    source text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (id, effective_from)
);
