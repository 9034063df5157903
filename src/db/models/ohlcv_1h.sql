-- materialized: incremental
-- unique_key: symbol, open_time
-- description: 1-hour OHLCV per symbol, rolled up from the 1-minute model: open of the first
-- description: traded minute, close of the last, max of highs, min of lows, sums of volumes and
-- description: counts. Minutes without trades are absent upstream, so they cannot distort open/high/low.
-- test: not_null symbol, open_time, open, high, low, close, volume, trade_count, minutes
-- test: unique symbol, open_time
-- test: accepted_range volume min=0
-- test: accepted_range minutes min=1 max=60
-- test: expression low <= least(open, close) AND high >= greatest(open, close)
-- test: expression open_time % 3600000 = 0
-- test: freshness open_time max_age=3h severity=warn
SELECT
  symbol,
  (open_time / 3600000) * 3600000 AS open_time,
  (array_agg(open ORDER BY open_time))[1] AS open,
  max(high) AS high,
  min(low) AS low,
  (array_agg(close ORDER BY open_time DESC))[1] AS close,
  sum(volume) AS volume,
  sum(trade_count)::integer AS trade_count,
  sum(quote_volume) AS quote_volume,
  count(*)::integer AS minutes
FROM {{ ref('ohlcv_1m') }}
{% if is_incremental %}
WHERE open_time >= (SELECT coalesce(max(open_time), 0) FROM {{ this }})
{% endif %}
GROUP BY symbol, open_time / 3600000
