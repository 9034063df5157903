-- Raw trades, for backfills and batch imports that the gold OHLCV models read (the live path
-- keeps trades in the log and the lake; it does not write here).
CREATE TABLE trades (
  source text NOT NULL,
  symbol text NOT NULL,
  trade_id bigint NOT NULL,
  price double precision NOT NULL CHECK (price > 0),
  quantity double precision NOT NULL CHECK (quantity >= 0),
  trade_time bigint NOT NULL,
  event_time bigint,
  ingest_time bigint,
  buyer_is_maker boolean,
  PRIMARY KEY (source, symbol, trade_id)
);
CREATE INDEX trades_symbol_time ON trades (symbol, trade_time);
