-- Quality gate results over the silver data (capability 9).
CREATE TABLE quality_reports (
  report_id text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('RUNNING', 'PASSED', 'FAILED', 'ERROR')),
  rows_checked bigint NOT NULL DEFAULT 0,
  rows_failed bigint NOT NULL DEFAULT 0,
  triggered_by text,                  -- "schedule", "admin:<who>"
  summary jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX quality_reports_started ON quality_reports (started_at DESC);

CREATE TABLE quality_violations (
  report_id text NOT NULL REFERENCES quality_reports (report_id) ON DELETE CASCADE,
  rule text NOT NULL,                 -- e.g. "price_not_positive", "missing_feature", "future_timestamp"
  symbol text NOT NULL,
  window_end bigint NOT NULL,
  detail text,
  quarantined boolean NOT NULL DEFAULT false,
  PRIMARY KEY (report_id, rule, symbol, window_end)
);
