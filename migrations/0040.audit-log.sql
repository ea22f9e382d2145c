-- depends: 0001.event-store
-- The audit log (issue 22, docs/audit.md): an RFC 6962 Merkle tree over every stored event, in
-- notification-id order, and the checkpoints that sign its root.

-- The leaf of one position: SHA-256(0x00 ‖ data), data as docs/audit.md "Leaf encoding" gives
-- it (format 1); domain/audit.py:leaf_data builds the same bytes in Python. `r` is the
-- record_log row of the same notification id, NULL when there is none. STABLE, not IMMUTABLE:
-- convert_to() and extract() are STABLE, and a function declared stricter than its body is not
-- inlined (a batch of 500 leaves: 9 ms called, 7 ms inlined).
CREATE FUNCTION audit_text(value text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
                ELSE int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8') END
$$;

CREATE FUNCTION audit_bytes(value bytea) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea ELSE int4send(octet_length(value)) || value END
$$;

CREATE FUNCTION audit_leaf_hash(
    notification_id bigint, originator_id uuid, originator_version bigint, topic text, state bytea, r record_log
) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(
        '\x0001'::bytea  -- the RFC 6962 leaf prefix, then the format
        || int8send(notification_id) || uuid_send(originator_id) || int8send(originator_version)
        || audit_text(topic) || audit_bytes(state)
        || CASE WHEN r.notification_id IS NULL THEN '\x00'::bytea
                ELSE '\x01'::bytea || uuid_send(r.originator_id) || int8send(r.originator_version)
                     || int8send((extract(epoch FROM r.recorded_at) * 1000000)::bigint)
                     || audit_text(r.uscc) || audit_text(r.record_type)
                     || int4send(r.effective_on - date '1970-01-01')
                     || audit_text(r.department) || audit_text(r.record_id) || audit_text(r.fingerprint)
           END)
$$;

-- One row per leaf. Written by the recorder in the transaction that stores the events, under
-- the event table's lock (adapters/recorder.py), so positions follow notification ids with no gap.
CREATE TABLE audit_leaves (
    position bigint PRIMARY KEY,
    notification_id bigint NOT NULL UNIQUE,
    leaf_hash bytea NOT NULL
);

-- Signed checkpoints (C2SP tlog-checkpoint notes, Ed25519), verbatim, with the compact range of
-- the tree at that size (the roots of its perfect subtrees, largest first) to extend it from.
CREATE TABLE audit_checkpoints (
    tree_size bigint PRIMARY KEY,
    root_hash bytea NOT NULL,
    note text NOT NULL,
    compact_range bytea[] NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Roots of perfect subtrees of 1,024 leaves and more, kept by the checkpoint signer: a proof
-- reads about log2(size) of them instead of every leaf. Derived data: a wrong row gives a proof
-- that fails to verify, never a false one.
CREATE TABLE audit_nodes (
    level smallint NOT NULL,
    index bigint NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (level, index)
);
