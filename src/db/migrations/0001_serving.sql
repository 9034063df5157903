-- Serving tables the dashboard reads. The ServingWriter upserts into them (keys below), so a
-- replay from the log rewrites the same rows. Times are epoch milliseconds (bigint), as in the log.

CREATE TABLE silver_bars (
  symbol text NOT NULL,
  window_start bigint NOT NULL,
  window_end bigint NOT NULL,
  open double precision NOT NULL,
  high double precision NOT NULL,
  low double precision NOT NULL,
  close double precision NOT NULL,
  avg_price double precision NOT NULL,
  vwap double precision NOT NULL,
  volume double precision NOT NULL,
  trade_count integer NOT NULL,
  volatility double precision NOT NULL,
  -- Features: null while the bar history is too short to compute them.
  lag_1 double precision,
  lag_3 double precision,
  ma_5 double precision,
  ma_10 double precision,
  momentum double precision,
  volatility_change double precision,
  -- Prediction made at this bar's close for the next bar's close; null without a champion model.
  prediction double precision,
  prediction_model_version text,
  -- Ingest time of the trade that closed the window, and when the bar was emitted (latency analysis).
  closing_ingest_time bigint,
  emit_time bigint,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, window_end),
  CHECK (window_end > window_start)
);
CREATE INDEX silver_bars_window_end ON silver_bars (window_end);

CREATE TABLE candles_1m (
  symbol text NOT NULL,
  open_time bigint NOT NULL,
  open double precision NOT NULL,
  high double precision NOT NULL,
  low double precision NOT NULL,
  close double precision NOT NULL,
  volume double precision NOT NULL,
  trade_count integer NOT NULL,
  quote_volume double precision NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, open_time),
  CHECK (open_time % 60000 = 0)
);
CREATE INDEX candles_1m_open_time ON candles_1m (open_time);
