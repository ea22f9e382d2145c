-- depends: 0005.projection-list-order
-- Enterprises whose items could not be derived (docs/projections.md, "Failure isolation"). The
-- projector and the rebuild skip such an enterprise for the page in hand (its rows stay as they
-- were), record it here and go on with the others; GET /v1/status reports the count and the
-- latest failures. One row per enterprise and log position: the last error met there.
CREATE TABLE projection_failures (
    uscc text NOT NULL,
    position bigint NOT NULL,      -- notification_id of the enterprise's last event in the page
    error text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (uscc, position)
);
CREATE INDEX projection_failures_failed_at ON projection_failures (failed_at);
