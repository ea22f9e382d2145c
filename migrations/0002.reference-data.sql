-- Reference data an administrator loads (rulebook TIME-01, §0.1 UNCONFIRMED numbers).
-- Rows are never updated: a newer row for the same key supersedes the older one, so what
-- was in force and when it was loaded stays answerable.
CREATE TABLE holiday_schedules (
    year integer NOT NULL,
    holidays date[] NOT NULL,
    make_up_working_days date[] NOT NULL,
    source text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (year, loaded_at)
);

CREATE TABLE reference_values (
    name text NOT NULL,
    effective_from date NOT NULL,
    value text NOT NULL,
    source text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (name, effective_from, loaded_at)
);
