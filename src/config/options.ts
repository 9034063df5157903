/**
 * Every configuration option of a node: its environment variable, its CLI flag, its default and
 * its documentation. The README's configuration table mirrors this list (a test checks it).
 */
export interface OptionSpec {
  env: string;
  flag: string;
  default: string;
  doc: string;
  secret?: boolean;
}

export const OPTIONS = {
  natsUrl: { env: "NATS_URL", flag: "--nats-url", default: "", doc: "NATS server URL(s), comma-separated; may carry credentials (nats://user:password@host:4222, shown masked). Empty: nats://127.0.0.1:4222, or a nats-server started from PATH with data under DATA_DIR (with generated credentials).", secret: true },
  natsUser: { env: "NATS_USER", flag: "--nats-user", default: "", doc: "NATS user name (with NATS_PASSWORD)." },
  natsPassword: { env: "NATS_PASSWORD", flag: "--nats-password", default: "", doc: "NATS password.", secret: true },
  natsToken: { env: "NATS_TOKEN", flag: "--nats-token", default: "", doc: "NATS authentication token.", secret: true },
  natsCreds: { env: "NATS_CREDS", flag: "--nats-creds", default: "", doc: "Path of a NATS .creds file (user JWT + NKey seed) or an NKey user seed file." },
  natsTlsCa: { env: "NATS_TLS_CA", flag: "--nats-tls-ca", default: "", doc: "PEM file of the CA that signed the NATS server's certificate (turns TLS on)." },
  natsTlsCert: { env: "NATS_TLS_CERT", flag: "--nats-tls-cert", default: "", doc: "PEM client certificate for NATS (with NATS_TLS_KEY)." },
  natsTlsKey: { env: "NATS_TLS_KEY", flag: "--nats-tls-key", default: "", doc: "PEM private key of NATS_TLS_CERT." },
  natsInboxPrefix: { env: "NATS_INBOX_PREFIX", flag: "--nats-inbox-prefix", default: "", doc: "Prefix of this client's reply subjects. Empty: _INBOX. A NATS user allowed only its own inbox needs its prefix (deploy/nats/nats.conf: _INBOX_admin for the admin CLI)." },
  nodeId: { env: "NODE_ID", flag: "--node-id", default: "", doc: "This node's id in the cluster. Empty: <hostname>-<pid>." },
  roles: { env: "ROLES", flag: "--roles", default: "all", doc: "Comma-separated roles this node runs: ingest, market, lake, serving, web, ml, quality, or all." },
  partitions: { env: "PARTITIONS", flag: "--partitions", default: "32", doc: "Fixed partition count for sharded entities (must be equal on every node)." },
  dataDir: { env: "DATA_DIR", flag: "--data-dir", default: "./data", doc: "Local state: embedded NATS storage, embedded database, default lake, spool." },
  heartbeat: { env: "HEARTBEAT", flag: "--heartbeat", default: "1s", doc: "Cluster heartbeat interval." },
  memberTtl: { env: "MEMBER_TTL", flag: "--member-ttl", default: "5s", doc: "A node that has not heartbeated for this long has left." },
  leaseTtl: { env: "LEASE_TTL", flag: "--lease-ttl", default: "5s", doc: "Partition lease lifetime; a dead node's partitions move after it." },
  ingestOverlap: { env: "INGEST_HANDOVER_OVERLAP", flag: "--ingest-handover-overlap", default: "30s", doc: "When an ingest shard moves to another node, the old owner keeps reading it until the new owner's streams are live and it claims the shard (then the old owner logs what it read and stops), at most this long (the log drops the doubles)." },
  symbols: { env: "SYMBOLS", flag: "--symbols", default: "BTCUSDT,ETHUSDT,BNBUSDT,SOLUSDT,XRPUSDT", doc: "Binance symbols to ingest." },
  binanceWsUrl: { env: "BINANCE_WS_URL", flag: "--binance-ws-url", default: "wss://stream.binance.com:9443", doc: "Binance (or market simulator) WebSocket base URL." },
  binanceRestUrl: { env: "BINANCE_REST_URL", flag: "--binance-rest-url", default: "", doc: "Binance (or market simulator) REST base URL, for trade backfill. Empty: http://host:port of BINANCE_WS_URL when that is a ws:// URL (the simulator serves both on one port), else https://api.binance.com." },
  windowSize: { env: "WINDOW_SIZE", flag: "--window-size", default: "30s", doc: "Sliding window size for bars." },
  windowSlide: { env: "WINDOW_SLIDE", flag: "--window-slide", default: "10s", doc: "Sliding window step." },
  allowedLateness: { env: "ALLOWED_LATENESS", flag: "--allowed-lateness", default: "2s", doc: "Watermark = max trade time seen minus this." },
  idleTimeout: { env: "IDLE_TIMEOUT", flag: "--idle-timeout", default: "", doc: "A live symbol (or custom instrument) with no trade for this long gets an idle watermark in the log: its event time moves on with the clock and its due windows and candles close. Empty: 2 × WINDOW_SLIDE. 0: event time moves only with trades." },
  lakeUri: { env: "LAKE_URI", flag: "--lake-uri", default: "", doc: "Lake root: a directory or s3://bucket/prefix. Empty: DATA_DIR/lake." },
  s3Endpoint: { env: "S3_ENDPOINT", flag: "--s3-endpoint", default: "", doc: "S3 endpoint for MinIO or other S3-compatible stores (empty: AWS)." },
  s3Region: { env: "S3_REGION", flag: "--s3-region", default: "us-east-1", doc: "S3 region." },
  s3ForcePathStyle: { env: "S3_FORCE_PATH_STYLE", flag: "--s3-force-path-style", default: "false", doc: "Use path-style S3 URLs (MinIO)." },
  s3AccessKeyId: { env: "S3_ACCESS_KEY_ID", flag: "--s3-access-key-id", default: "", doc: "S3 access key id (empty: the AWS default chain).", secret: true },
  s3SecretAccessKey: { env: "S3_SECRET_ACCESS_KEY", flag: "--s3-secret-access-key", default: "", doc: "S3 secret access key.", secret: true },
  databaseUrl: { env: "DATABASE_URL", flag: "--database-url", default: "", doc: "PostgreSQL URL. Empty: embedded PGlite under DATA_DIR/pglite.", secret: true },
  webHost: { env: "WEB_HOST", flag: "--web-host", default: "127.0.0.1", doc: "Dashboard / API listen address." },
  webPort: { env: "WEB_PORT", flag: "--web-port", default: "3000", doc: "Dashboard / API port." },
  webAllowedHosts: { env: "WEB_ALLOWED_HOSTS", flag: "--web-allowed-hosts", default: "", doc: "Comma-separated Host names the API answers besides localhost, 127.0.0.1, [::1] and WEB_HOST (with WEB_PORT): `name` (at WEB_PORT or behind a proxy on 80/443) or `name:port`; `*` accepts any (turns off the DNS-rebinding check). Other Hosts get 403 on /trpc." },
  webAllowedOrigins: { env: "WEB_ALLOWED_ORIGINS", flag: "--web-allowed-origins", default: "", doc: "Comma-separated page origins (`https://dash.example.com`) that may call the API besides the server's own. A browser request from any other origin gets 403 on /trpc and its WebSocket." },
  webMaxBody: { env: "WEB_MAX_BODY", flag: "--web-max-body", default: "1048576", doc: "Largest tRPC request body or WebSocket message, in bytes (larger: 413 / socket closed)." },
  webMaxBatch: { env: "WEB_MAX_BATCH", flag: "--web-max-batch", default: "20", doc: "Most tRPC calls in one batched HTTP request (more: 400); in one WebSocket message, the larger of this and WEB_MAX_SUBSCRIPTIONS. At least 20: the dashboard sends batches of up to 20." },
  webMaxSubscriptions: { env: "WEB_MAX_SUBSCRIPTIONS", flag: "--web-max-subscriptions", default: "50", doc: "Most live subscriptions on one WebSocket connection (more: TOO_MANY_REQUESTS)." },
  webMaxReplay: { env: "WEB_MAX_REPLAY", flag: "--web-max-replay", default: "10000", doc: "A bars$ / candles$ stream resumed from far behind (or from 0) replays at most this many stream messages before going live." },
  readTokens: { env: "READ_TOKENS", flag: "--read-tokens", default: "", doc: "Comma-separated read tokens for the dashboard and API (admin tokens read too): `Authorization: Bearer <token>`, or typed once on the dashboard's sign-in page (a session cookie, HttpOnly, SameSite=Strict). Empty: only this machine (loopback) reads.", secret: true },
  adminTokens: { env: "ADMIN_TOKENS", flag: "--admin-tokens", default: "", doc: "Comma-separated admin tokens. Empty: admin commands only from this machine.", secret: true },
  adminMaxSkew: { env: "ADMIN_MAX_SKEW", flag: "--admin-max-skew", default: "30s", doc: "A signed admin request older (or further in the future) than this is refused; each nonce is remembered this long, so a captured request cannot be replayed." },
  ingestApiKeys: { env: "INGEST_API_KEYS", flag: "--ingest-api-keys", default: "", doc: "API keys for POST /api/ingest/<source>: `source:key,...` or `*:key` (keys of 8+ characters). Empty: every request is refused (401).", secret: true },
  uploadChunk: { env: "UPLOAD_CHUNK", flag: "--upload-chunk", default: "8388608", doc: "Largest chunk of a file uploaded from the Data page, in bytes (the browser sends chunks of this size); lower it behind a proxy with a smaller body limit." },
  ingestMaxBody: { env: "INGEST_MAX_BODY", flag: "--ingest-max-body", default: "1048576", doc: "Largest accepted ingestion request body, in bytes (larger: 413)." },
  shutdownTimeout: { env: "SHUTDOWN_TIMEOUT", flag: "--shutdown-timeout", default: "30s", doc: "SIGTERM/SIGINT ends the process within this bound: each shutdown step has its own share of it and is abandoned (exit code 1) when it overruns." },
  partitionStall: { env: "PARTITION_STALL", flag: "--partition-stall", default: "30s", doc: "A partition with log input waiting and no progress (deliveries, handled messages, acks) for this long is reported (ERROR log, metric, admin status) and its consumer restarted under supervision. 0 turns the watchdog off." },
  metricsTopSymbols: { env: "METRICS_TOP_SYMBOLS", flag: "--metrics-top-symbols", default: "20", doc: "Symbol-labelled metrics keep a series for the N busiest symbols and sum the rest under symbol=\"other\" (N + 1 series at most)." },
  natsMonitorUrl: { env: "NATS_MONITOR_URL", flag: "--nats-monitor-url", default: "", doc: "NATS servers' HTTP monitoring endpoints (nats-server --http_port, e.g. http://nats1:8222), comma-separated. A web node reads each one's /varz and /jsz when /metrics is scraped and exports the nats_server_* metrics (up, connections, slow consumers, messages and bytes in and out, memory, CPU, JetStream storage, routes), labelled server=host:port. Empty: none." },
  customMaxFutureSkew: { env: "CUSTOM_MAX_FUTURE_SKEW", flag: "--custom-max-future-skew", default: "5m", doc: "Custom records (trades and rows) timed more than this after their receive time are refused (gateway 400, NATS: dlq.timestamp_out_of_range), so a far-future trade cannot move its symbol's watermark." },
  customMinEventTime: { env: "CUSTOM_MIN_EVENT_TIME", flag: "--custom-min-event-time", default: "2000-01-01", doc: "Custom records timed before this UTC date or ISO time are refused the same way (0, or seconds read as ms, are bugs; 2000 still admits this century's backfills)." },
  customMaxDataTypes: { env: "CUSTOM_MAX_DATA_TYPES", flag: "--custom-max-data-types", default: "100", doc: "Distinct data types (lake tables) one custom source may create; more: gateway 429 quota_exceeded, NATS dlq.quota_exceeded." },
  customMaxInstruments: { env: "CUSTOM_MAX_INSTRUMENTS", flag: "--custom-max-instruments", default: "1000", doc: "Distinct market instruments (symbols, SymbolActors) one custom source may create; more: refused the same way." },
  ingestRateLimit: { env: "INGEST_RATE_LIMIT", flag: "--ingest-rate-limit", default: "20000", doc: "Records per second one source may POST to the gateway (bursts of 5 s, at least one full request); more: 429 rate_limited with Retry-After. 0: no limit. Per web node." },
  customNatsRateLimit: { env: "CUSTOM_NATS_RATE_LIMIT", flag: "--custom-nats-rate-limit", default: "60000", doc: "Records per second one source may put into the CUSTOM log, published on NATS or posted to the gateway (both count: a NATS publisher could forge any mark of the gateway's), timed by the log's arrival times at the custom router (one per cluster); bursts of 5 s, at least one full message (1,000 records); more: dlq.rate_limited (kept, replayable), other sources unaffected. Keep it at least INGEST_RATE_LIMIT × web nodes (the default: 20,000 × compose's 3), or the router dead-letters records the gateway accepted. 0: no limit." },
  customStreamMaxBytes: { env: "CUSTOM_STREAM_MAX_BYTES", flag: "--custom-stream-max-bytes", default: "2147483648", doc: "Size limit of the CUSTOM stream (every source's published data), in bytes. When full it refuses new messages (gateway 503) rather than drop stored ones; applied at start, an existing stream is updated in place." },
  customMaxMsgsPerSubject: { env: "CUSTOM_MAX_MSGS_PER_SUBJECT", flag: "--custom-max-msgs-per-subject", default: "100000", doc: "Messages the CUSTOM stream keeps per ingest.<source>.<data_type>; past that the subject drops its own oldest, so one source cannot push out another's. Applied at start like CUSTOM_STREAM_MAX_BYTES." },
  logLevel: { env: "LOG_LEVEL", flag: "--log-level", default: "info", doc: "debug, info, warn or error." },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
