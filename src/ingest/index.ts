/** Market ingestion: Binance WebSocket client, trade log publisher (de-dup, gaps, DLQ, spool), CSV import. */
export { BinanceStreamClient, type ClientOptions, type ClientStatus, type TradeSink } from "./client.js";
export { TradeLogPublisher, tradeLogSubject, type PublisherOptions, type PublisherStatus, type BackfillFn, type PublisherMode, type GapEvent, type SymbolStatus } from "./publisher.js";
export { Ingestor, type IngestorOptions } from "./ingestor.js";
export { decodeTradeBatch, decodeTradeBatchHeader, decodeTradeLogEntry, encodeTradeBatch, encodeLogMark, batchMsgId, markMsgId, TRADE_BATCH_VERSION, type TradeBatchHeader, type TradeLogEntry, type LogMark } from "./batch-codec.js";
export { idleWatermark, idleHorizonMs, type IdleMarkOptions } from "./idle-marks.js";
export { importTradesCsv, symbolFromFileName, type ImportSummary, type ImportOptions } from "./csv-import.js";
export { openImportFile, formatImportProgress, ImportFileError, type ImportFile, type ImportFormat, type ImportProgress } from "./import-file.js";
export { ensureIngestStreams } from "./bootstrap.js";
export { DiskSpool, type SpoolOptions, type SpoolRecord, type SpoolRecordHeader } from "./spool.js";
export { SlidingWindowLimiter } from "./rate-limiter.js";
export { RestGate, type RestPriority } from "./rest-gate.js";
export { defaultBackoff } from "./backoff.js";
export { admit, aboveMark, type Admission } from "./dedup.js";
export { tradeStream, symbolOfTradeStream, combinedStreamUrl, MAX_STREAMS_PER_CONNECTION } from "./streams.js";
export { defaultFrameParser, type FrameParser, type ParsedFrame } from "./frame.js";
export { consoleLogger, silentLogger, type IngestLogger } from "./log.js";
export { TradeBatchDecodeError, ControlRequestFailed, PublisherClosed, BackfillRejected, BackfillRateLimited, BackfillUnavailable, BackfillInvalidResponse } from "./errors.js";
export { fetchTradesBetween, restWeightLimiter, HISTORICAL_TRADES_WEIGHT, MAX_TRADES_PAGE, type BackfillOptions, type BackfillResult, type IdRange } from "./backfill.js";
