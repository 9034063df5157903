-- API keys of the ingestion gateway managed at runtime (issue 17). Only a SHA-256 of the key is
-- stored (hex): keys are 32 random bytes, so a fast hash is as strong as a slow one here. `key_id` is
-- the public part of the key (`thk_<key_id>_<secret>`), shown in lists and the audit trail.
CREATE TABLE ingest_api_keys (
  key_id text PRIMARY KEY,
  label text NOT NULL,
  source text NOT NULL,               -- a source name, or '*' for any source
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),  -- hex SHA-256
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text,
  -- Usage, flushed in batches by each web node (never one write per request).
  last_used_at timestamptz,
  requests bigint NOT NULL DEFAULT 0,
  records bigint NOT NULL DEFAULT 0
);
