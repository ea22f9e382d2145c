-- depends: 0041.audit-backfill
-- The change feed (issue 23, projections/change_feed.py): CloudEvents 1.0 items of every change of
-- list membership, public section and measures in force, keyed by the commit's last log position
-- and the item's rank in that commit (the pull cursor). Seed 六(十) 联合奖惩自动化.
CREATE TABLE feed_items (
    position bigint NOT NULL,
    n integer NOT NULL,
    id text NOT NULL UNIQUE,          -- the CloudEvent id: a UUID of (USCC, recorded time, item, type)
    type text NOT NULL,
    uscc text NOT NULL,
    recorded_at timestamptz NOT NULL,
    event jsonb NOT NULL,             -- the CloudEvent, JSON format
    PRIMARY KEY (position, n)
);
CREATE INDEX feed_items_type ON feed_items (type, position, n);
CREATE INDEX feed_items_uscc ON feed_items (uscc, position, n);
-- What the feed last said of each enterprise (the items it carries, by kind, subject and start).
CREATE TABLE feed_state (
    uscc text PRIMARY KEY,
    snapshot jsonb NOT NULL
);
INSERT INTO projection_state (name, slot, position, derivation) VALUES ('change_feed', 'a', 0, 1);
