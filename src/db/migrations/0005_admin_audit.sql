-- Every admin command, accepted or refused (who, what, outcome).
CREATE TABLE admin_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  node_id text NOT NULL,
  principal text NOT NULL,            -- token name or "local"
  command text NOT NULL,
  args jsonb NOT NULL DEFAULT '{}'::jsonb,
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'refused', 'succeeded', 'failed')),
  detail text
);
CREATE INDEX admin_audit_at ON admin_audit (at DESC);
