-- History of gold transform runs: one row per run, per model built, per data test.
CREATE TABLE gold_runs (
  run_id text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'success', 'failed')),
  full_refresh boolean NOT NULL DEFAULT false,
  models_built integer NOT NULL DEFAULT 0,
  tests_failed integer NOT NULL DEFAULT 0
);

CREATE TABLE gold_model_runs (
  run_id text NOT NULL REFERENCES gold_runs (run_id) ON DELETE CASCADE,
  model text NOT NULL,
  materialized text NOT NULL,
  status text NOT NULL CHECK (status IN ('success', 'error', 'skipped')),
  rows_affected bigint,
  duration_ms integer NOT NULL,
  error text,
  PRIMARY KEY (run_id, model)
);

CREATE TABLE gold_test_results (
  run_id text NOT NULL REFERENCES gold_runs (run_id) ON DELETE CASCADE,
  model text NOT NULL,
  test_name text NOT NULL,            -- e.g. "not_null(open)", "unique(symbol,open_time)"
  kind text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('error', 'warn')),
  status text NOT NULL CHECK (status IN ('pass', 'fail', 'error', 'skipped')),
  failures bigint NOT NULL DEFAULT 0,
  message text,
  tested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, model, test_name)
);
CREATE INDEX gold_test_results_model ON gold_test_results (model, tested_at DESC);
