-- depends: 0013.read-model-plugins
-- Records entered per department, record type and effective year, as the ledger knew them at
-- any moment (projections/department_activity.py): one row per commit that changed a count,
-- holding the running total from then on. Whoever handles a case enters its record
-- (谁办案、谁录入、谁负责, PEN-13): this shows who entered how much, and when.
CREATE TABLE department_activity (
    department text NOT NULL,
    record_type text NOT NULL,
    year integer NOT NULL,           -- of the records' effective dates
    recorded_at timestamptz NOT NULL,
    total bigint NOT NULL,           -- records of (department, type, year) recorded by recorded_at
    PRIMARY KEY (department, record_type, year, recorded_at)
);
INSERT INTO projection_state (name, slot, position, derivation) VALUES ('department_activity', 'a', 0, 1);
