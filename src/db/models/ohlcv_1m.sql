-- materialized: incremental
-- unique_key: symbol, open_time
-- description: 1-minute OHLCV per symbol for every minute that has trades. Built from the raw
-- description: trades table where trades were loaded (backfills, imports: exact, Binance's own
-- description: rules: bucket = floor(time / 60 s), open/close = first/last trade by (time, id));
-- description: otherwise from the live path's candles_1m. Incremental runs recompute the last hour.
-- test: not_null symbol, open_time, open, high, low, close, volume, trade_count, origin
-- test: unique symbol, open_time
-- test: accepted_range volume min=0
-- test: accepted_range trade_count min=1
-- test: expression low > 0
-- test: expression low <= least(open, close) AND high >= greatest(open, close)
-- test: expression open_time % 60000 = 0
-- test: freshness open_time max_age=2h severity=warn
WITH bounds AS (
  SELECT {% if is_incremental %} (SELECT coalesce(max(open_time), 0) - 3600000 FROM {{ this }}) {% else %} 0::bigint {% endif %} AS since
),
from_trades AS (
  SELECT
    symbol,
    (trade_time / 60000) * 60000 AS open_time,
    (array_agg(price ORDER BY trade_time, source, trade_id))[1] AS open,
    max(price) AS high,
    min(price) AS low,
    (array_agg(price ORDER BY trade_time DESC, source DESC, trade_id DESC))[1] AS close,
    sum(quantity) AS volume,
    count(*)::integer AS trade_count,
    sum(price * quantity) AS quote_volume
  FROM trades
  WHERE trade_time >= (SELECT since FROM bounds)
  GROUP BY symbol, trade_time / 60000
),
from_live AS (
  SELECT symbol, open_time, open, high, low, close, volume, trade_count, quote_volume
  FROM candles_1m
  WHERE trade_count > 0 AND open_time >= (SELECT since FROM bounds)
)
SELECT DISTINCT ON (symbol, open_time)
  symbol, open_time, open, high, low, close, volume, trade_count, quote_volume, origin
FROM (
  SELECT *, 1 AS priority, 'trades' AS origin FROM from_trades
  UNION ALL
  SELECT *, 2 AS priority, 'live' AS origin FROM from_live
) AS candidates
ORDER BY symbol, open_time, priority
