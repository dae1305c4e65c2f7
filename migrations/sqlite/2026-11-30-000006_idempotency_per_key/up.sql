-- Stored answers to POSTs sent with an Idempotency-Key now belong to the API key that
-- sent them, not to the organization: a replay is only ever served to the caller whose
-- request made it. A row is written in the same transaction as the change it answers,
-- so it never exists without its response; the old rows (some in progress, some holding
-- a created key's secret in clear) are dropped, not migrated.
DROP TABLE idempotency_keys;

CREATE TABLE idempotency_keys (
    api_key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    fingerprint TEXT NOT NULL,
    status_code INTEGER,
    location TEXT,
    etag TEXT,
    body BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (api_key_id, key)
);

-- The purge deletes by age.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
