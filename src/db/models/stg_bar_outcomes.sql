-- materialized: view
-- description: Each silver bar next to what followed it: the next bar's close and window end
-- description: (per symbol, by window end). The base for judging predictions made at a bar's close.
-- test: not_null symbol, window_end, close
SELECT
  symbol,
  window_end,
  close,
  prediction,
  prediction_model_version,
  lead(close) OVER w AS next_close,
  lead(window_end) OVER w AS next_window_end
FROM silver_bars
WINDOW w AS (PARTITION BY symbol ORDER BY window_end)
