-- depends: 0080.change-feed
-- Subscriptions to the change feed and their delivery state (issue 23, docs/feeds.md).
-- A subscription with a url is pushed as Standard Webhooks (signed with its secret, a
-- `whsec_` + base64 key kept here because the relay signs with it); without one it is pull only.
-- types NULL: every item. (position, n): the last item delivered (the push cursor).
CREATE TABLE feed_subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    department text NOT NULL,
    url text NOT NULL DEFAULT '',
    types text[],
    secret text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    active boolean NOT NULL DEFAULT true,
    position bigint NOT NULL DEFAULT 0,
    n integer NOT NULL DEFAULT -1,
    attempts integer NOT NULL DEFAULT 0,
    failing_since timestamptz,
    next_attempt_at timestamptz,
    last_error text,
    delivered bigint NOT NULL DEFAULT 0,
    UNIQUE (department, url)
);
-- Items given up on after retrying for the retry horizon (24 hours): an admin replays them.
CREATE TABLE feed_dead_letters (
    subscription_id uuid NOT NULL REFERENCES feed_subscriptions (id) ON DELETE CASCADE,
    item_id text NOT NULL,
    position bigint NOT NULL,
    n integer NOT NULL,
    attempts integer NOT NULL,
    last_error text,
    dead_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    replayed_at timestamptz,
    PRIMARY KEY (subscription_id, item_id)
);
-- Brokers the feed is published to (NATS JetStream), each with the last item published.
CREATE TABLE feed_publishers (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    n integer NOT NULL DEFAULT -1,
    published bigint NOT NULL DEFAULT 0
);
