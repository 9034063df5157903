-- materialized: table
-- unique_key: symbol, day
-- description: Per symbol and UTC day: open, high, low, close, volume, trades (from the hourly
-- description: OHLCV) and the average bar volatility that day (from the silver bars; null when no bars).
-- test: not_null symbol, day, open, high, low, close, volume, trades
-- test: unique symbol, day
-- test: accepted_range volume min=0
-- test: accepted_range trades min=1
-- test: accepted_range avg_volatility min=0
-- test: expression low <= least(open, close) AND high >= greatest(open, close)
-- test: freshness day_start max_age=2d severity=warn
WITH days AS (
  SELECT
    symbol,
    (open_time / 86400000) * 86400000 AS day_start,
    (array_agg(open ORDER BY open_time))[1] AS open,
    max(high) AS high,
    min(low) AS low,
    (array_agg(close ORDER BY open_time DESC))[1] AS close,
    sum(volume) AS volume,
    sum(trade_count)::bigint AS trades,
    sum(quote_volume) AS quote_volume
  FROM {{ ref('ohlcv_1h') }}
  GROUP BY symbol, open_time / 86400000
),
bar_days AS (
  SELECT symbol, (window_start / 86400000) * 86400000 AS day_start, avg(volatility) AS avg_volatility, count(*)::integer AS bars
  FROM silver_bars
  GROUP BY symbol, window_start / 86400000
)
SELECT
  d.symbol,
  (timestamp '1970-01-01' + d.day_start * interval '1 millisecond')::date AS day,
  d.day_start,
  d.open,
  d.high,
  d.low,
  d.close,
  d.volume,
  d.trades,
  d.quote_volume,
  b.avg_volatility,
  coalesce(b.bars, 0) AS bars,
  CASE WHEN d.open > 0 THEN (d.close - d.open) / d.open * 100 END AS change_pct
FROM days d
LEFT JOIN bar_days b ON b.symbol = d.symbol AND b.day_start = d.day_start
