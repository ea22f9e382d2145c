-- The event store, owned here rather than created by the library at start-up
-- (its CREATE TABLE path races when processes start together; the application runs with
-- CREATE_TABLE=n). Same shape as eventsourcing 9.5's PostgresApplicationRecorder for an
-- application named "ledger".
CREATE TYPE stored_event_uuid AS (
    originator_id uuid,
    originator_version bigint,
    topic text,
    state bytea
);

CREATE TABLE ledger_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
) WITH (
    autovacuum_enabled = true,
    autovacuum_vacuum_threshold = 100000000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.01
);
CREATE UNIQUE INDEX ledger_events_notification_id_idx ON ledger_events (notification_id ASC);

-- One row per record, written in the same transaction as its event and under the event
-- table's lock (ledger/recorder.py). It carries what the opaque event payload cannot give
-- the database: the idempotency key (design.md: source.department + source.record_id) and
-- the recorded time, taken from the database clock in commit order.
CREATE TABLE record_log (
    notification_id bigint PRIMARY KEY,
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    uscc text NOT NULL,
    record_type text NOT NULL,
    effective_on date NOT NULL,
    department text NOT NULL,
    record_id text NOT NULL,
    fingerprint text NOT NULL,
    recorded_at timestamptz NOT NULL,
    CONSTRAINT record_log_key UNIQUE (department, record_id),
    CONSTRAINT record_log_event UNIQUE (originator_id, originator_version)
);
CREATE INDEX record_log_recorded_at_idx ON record_log (recorded_at);
CREATE INDEX record_log_uscc_idx ON record_log (uscc, notification_id);
