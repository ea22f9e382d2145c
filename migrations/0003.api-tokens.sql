-- API tokens (issue 6): each bound to one department and one role.
-- Only the SHA-256 of the secret is kept: a leaked table grants nothing. Tokens are never
-- deleted, only revoked, so that the operator recorded on past records stays explainable.
-- depends: 0001.event-store
CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    secret_sha256 bytea NOT NULL UNIQUE,
    department text NOT NULL,
    role text NOT NULL CHECK (role IN ('officer', 'reviewer', 'auditor', 'admin')),
    label text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    revoked_at timestamptz
);

CREATE INDEX api_tokens_active_role ON api_tokens (role) WHERE revoked_at IS NULL;
