-- depends: 0040.audit-log
-- Leaves for the events a ledger stored before the audit log existed: the same statement the
-- recorder runs after each insert (adapters/recorder.py, APPEND_LEAVES), under the same lock, so
-- that verification covers the whole log. On a new ledger it inserts nothing.
LOCK TABLE ledger_events IN EXCLUSIVE MODE;

INSERT INTO audit_leaves (position, notification_id, leaf_hash)
SELECT last.position + row_number() OVER (ORDER BY e.notification_id), e.notification_id,
       audit_leaf_hash(e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, r)
FROM (SELECT coalesce((SELECT max(position) FROM audit_leaves), -1) AS position,
             coalesce((SELECT max(notification_id) FROM audit_leaves), 0) AS notification_id) AS last
JOIN ledger_events e ON e.notification_id > last.notification_id
LEFT JOIN record_log r ON r.notification_id = e.notification_id AND r.notification_id > last.notification_id;
