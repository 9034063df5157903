-- Experiment tracking and model registry (the MLflow equivalent). Written by the training
-- supervisor; read by the MLOps pages. Metric values are in price units where applicable.

CREATE TABLE experiments (
  experiment_id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,          -- e.g. "league/BTCUSDT"
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE runs (
  run_id text PRIMARY KEY,            -- uuid chosen by the trainer
  experiment_id bigint NOT NULL REFERENCES experiments (experiment_id),
  symbol text NOT NULL,
  algorithm text NOT NULL,            -- "elasticnet" | "decision_tree" | "random_forest" | "gbt" | "naive"
  status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  train_rows integer,
  test_rows integer,
  horizon_ms bigint,                  -- what the label looks ahead
  data_from bigint,                   -- window_end range of the training data (ms)
  data_to bigint,
  artifact_uri text,
  error text
);
CREATE INDEX runs_symbol_started ON runs (symbol, started_at DESC);

CREATE TABLE run_params (
  run_id text NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE run_metrics (
  run_id text NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  key text NOT NULL,                  -- rmse, mae, r2, directional_accuracy, skill, rmse_naive ...
  value double precision NOT NULL,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE feature_importances (
  run_id text NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  feature text NOT NULL,
  importance double precision NOT NULL,
  PRIMARY KEY (run_id, feature)
);

CREATE TABLE model_versions (
  symbol text NOT NULL,
  version integer NOT NULL,
  model_version text NOT NULL UNIQUE, -- the label stored on predictions, e.g. "BTCUSDT/v3"
  run_id text NOT NULL REFERENCES runs (run_id),
  algorithm text NOT NULL,
  artifact_uri text NOT NULL,
  rmse double precision,
  rmse_naive double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, version)
);

-- Every promotion (and demotion), newest last; the current champion is the latest row per symbol.
CREATE TABLE champion_history (
  id bigserial PRIMARY KEY,
  symbol text NOT NULL,
  model_version text NOT NULL REFERENCES model_versions (model_version),
  previous_model_version text,
  reason text NOT NULL,
  promoted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX champion_history_symbol ON champion_history (symbol, id DESC);
