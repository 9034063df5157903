-- materialized: table
-- unique_key: symbol, model_version
-- description: Live model performance per symbol and model version: realised error of every past
-- description: prediction (made at a bar's close, for the next bar's close) against the close that
-- description: actually followed, the same for the naive forecast (next = this close), skill
-- description: = 1 - rmse / rmse_naive (> 0 beats naive), and directional accuracy over bars where
-- description: the price moved (share of predicted moves with the right sign).
-- test: not_null symbol, model_version, predictions, rmse, mae, rmse_naive, mae_naive
-- test: unique symbol, model_version
-- test: accepted_range predictions min=1
-- test: accepted_range rmse min=0
-- test: accepted_range mae min=0
-- test: accepted_range directional_accuracy min=0 max=1
-- test: expression rmse >= mae * (1 - 1e-9)
WITH scored AS (
  SELECT
    symbol,
    prediction_model_version AS model_version,
    count(*)::integer AS predictions,
    min(window_end) AS first_window_end,
    max(window_end) AS last_window_end,
    sqrt(avg((prediction - next_close) ^ 2)) AS rmse,
    avg(abs(prediction - next_close)) AS mae,
    sqrt(avg((close - next_close) ^ 2)) AS rmse_naive,
    avg(abs(close - next_close)) AS mae_naive,
    count(*) FILTER (WHERE next_close <> close)::integer AS moves,
    avg(CASE WHEN sign(prediction - close) = sign(next_close - close) THEN 1.0 ELSE 0.0 END) FILTER (WHERE next_close <> close) AS directional_accuracy
  FROM {{ ref('stg_bar_outcomes') }}
  WHERE prediction IS NOT NULL AND prediction_model_version IS NOT NULL AND next_close IS NOT NULL
  GROUP BY symbol, prediction_model_version
)
SELECT
  *,
  CASE WHEN rmse_naive > 0 THEN 1 - rmse / rmse_naive END AS skill
FROM scored
