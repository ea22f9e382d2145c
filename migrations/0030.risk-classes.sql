-- depends: 0014.department-activity
-- Risk classes A-D (issue 19, docs/risk.md; rulebook §9). Internal (RISK-02): no public route
-- reads these tables.

-- Risk models: dated reference data (domain/risk/model.py). A version is immutable; rows are
-- never updated, so which models the ledger knew at a moment stays answerable (`loaded_at`).
CREATE TABLE risk_models (
    version text PRIMARY KEY,
    effective_from date NOT NULL,
    digest text NOT NULL,
    body jsonb NOT NULL,
    source text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The recorded time of each event of an effective run (a `RiskRun` aggregate in ledger_events),
-- written by the recorder under the event table's lock like record_log's (adapters/recorder.py):
-- runs and records share one increasing recorded time along the log.
CREATE TABLE risk_run_log (
    notification_id bigint PRIMARY KEY,
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    CONSTRAINT risk_run_log_event UNIQUE (originator_id, originator_version)
);
CREATE INDEX risk_run_log_recorded_at_idx ON risk_run_log (recorded_at);

-- The report of every run, trial (带量测试: nothing else is written) or effective, as its command
-- answered it. An effective run's own record is in the ledger; this is its printout.
CREATE TABLE risk_reports (
    run_id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('trial', 'effective')),
    on_date date NOT NULL,
    model_version text NOT NULL,
    report jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The read model (projections/risk_classes.py): effective runs, the class of every enterprise
-- in each, and the special-case re-scores between runs (bitemporal: effective date, recorded range).
CREATE TABLE risk_runs (
    run_id uuid PRIMARY KEY,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    on_date date NOT NULL,
    model_version text NOT NULL,
    model_digest text NOT NULL,
    input_position bigint NOT NULL,
    input_cut timestamptz,
    input_digest text NOT NULL,
    department text NOT NULL,
    operator text NOT NULL,
    distribution jsonb NOT NULL
);
CREATE INDEX risk_runs_on_idx ON risk_runs (on_date, recorded_at);

CREATE TABLE risk_run_classes (
    run_id uuid NOT NULL,
    uscc text NOT NULL,
    class char(1) NOT NULL,
    score integer NOT NULL,
    sector text NOT NULL,
    district text,
    PRIMARY KEY (run_id, uscc)
);
CREATE INDEX risk_run_classes_class_idx ON risk_run_classes (run_id, class, uscc);

CREATE TABLE risk_rescores (
    uscc text NOT NULL,
    on_date date NOT NULL,
    recorded tstzrange NOT NULL,
    fingerprint text NOT NULL,
    class char(1) NOT NULL,
    score integer NOT NULL,
    sector text NOT NULL,
    district text,
    for_run uuid,
    body jsonb NOT NULL
);
CREATE INDEX risk_rescores_uscc_idx ON risk_rescores (uscc, on_date);
CREATE INDEX risk_rescores_open_idx ON risk_rescores (uscc, fingerprint) WHERE upper_inf(recorded);
CREATE INDEX risk_rescores_on_idx ON risk_rescores (on_date);

INSERT INTO projection_state (name, slot, position, derivation) VALUES ('risk_classes', 'a', 0, 1);
