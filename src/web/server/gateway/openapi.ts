/** The gateway's OpenAPI 3.1 document, served at `/api/docs`. */
export function openApiDocument(limits: { maxBodyBytes: number; maxRecords: number }): Record<string, unknown> {
  const error = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
  const record = { oneOf: [{ $ref: "#/components/schemas/MarketRecord" }, { $ref: "#/components/schemas/Envelope" }, { type: "object", description: "Any JSON object; its data type comes from the path, its `data_type` field, or its shape" }] };
  const post = {
    summary: "Ingest custom records",
    description:
      `One record, a JSON array of records, or NDJSON (Content-Type application/x-ndjson). At most ${limits.maxBodyBytes} bytes and ${limits.maxRecords} records. ` +
      "Every record is validated first (all or nothing; with `?partial=true` record by record), then published to `ingest.<source>.<data_type>` on the CUSTOM stream; the answer lists the stream sequences. " +
      "Market data (data_type market/crypto/stock/..., or a record with symbol and price) becomes trades of symbol `<SOURCE>_<SYMBOL>` in the market pipeline; " +
      "other types land in the lake table `custom.<source>.<data_type>` (schema inferred; new fields add nullable columns; a type conflict sends the record to `dlq.schema_conflict`).",
    security: [{ apiKey: [] }, { bearer: [] }],
    parameters: [
      { name: "source", in: "path", required: true, schema: { type: "string", pattern: "^[a-z0-9][a-z0-9_]{0,31}$" } },
      { name: "partial", in: "query", required: false, description: "true: refuse bad records one by one (NDJSON: bad lines too, even non-UTF-8 ones) and store the rest; the answer is 207 with `rejected`", schema: { type: "boolean" } },
      { name: "Idempotency-Key", in: "header", required: false, description: "Retries with the same key within 2 minutes are stored once (Nats-Msg-Id <source>:<key>:<index>)", schema: { type: "string" } },
    ],
    requestBody: {
      required: true,
      content: {
        "application/json": { schema: { oneOf: [record, { type: "array", items: record }] }, example: { symbol: "WIDGET", price: 12.5, timestamp: 1732780800000, quantity: 3 } },
        "application/x-ndjson": { schema: { type: "string", description: "one record per line" } },
      },
    },
    responses: {
      "202": { description: "Accepted: stored in the CUSTOM stream", content: { "application/json": { schema: { $ref: "#/components/schemas/Accepted" } } } },
      "207": { description: "Partial (`?partial=true`): the good records are stored; `rejected` lists `{index, status, error, field, message}` of the others (their sequences are null)", content: { "application/json": { schema: { $ref: "#/components/schemas/Accepted" } } } },
      "400": error("Malformed body (`invalid_body`), not UTF-8 (`invalid_encoding`), missing required field or wrong type (`invalid_record`), timestamp more than CUSTOM_MAX_FUTURE_SKEW after receipt or before CUSTOM_MIN_EVENT_TIME (`timestamp_out_of_range`); `field` names it, `index` the record"),
      "401": error("Missing or unknown API key"),
      "403": error("The key is not allowed for this source"),
      "413": error("Body larger than INGEST_MAX_BODY, too many records, or a record over the record limits (`record_too_large`: a string over 65,536 characters, over 1,000 fields, a name over 256 characters, nesting over 32 levels)"),
      "429": { ...error("Over the source's quota: `rate_limited` (INGEST_RATE_LIMIT records/s; retry after Retry-After seconds) or `quota_exceeded` (a data type past CUSTOM_MAX_DATA_TYPES or an instrument past CUSTOM_MAX_INSTRUMENTS; `field` names which)"), headers: { "Retry-After": { schema: { type: "integer" } } } },
      "503": { ...error("The log (NATS JetStream) is unavailable; retry after the Retry-After seconds"), headers: { "Retry-After": { schema: { type: "integer" } } } },
    },
  };
  return {
    openapi: "3.1.0",
    info: { title: "tickhouse ingestion gateway", version: "1", description: "Bring your own data: market prices, IoT readings, logs or any JSON." },
    paths: {
      "/api/ingest/{source}": { post },
      "/api/ingest/{source}/{data_type}": {
        post: { ...post, summary: "Ingest custom records of one data type", parameters: [...post.parameters, { name: "data_type", in: "path", required: true, schema: { type: "string", pattern: "^[a-z0-9][a-z0-9_]{0,31}$" } }] },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" }, bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        MarketRecord: {
          type: "object",
          required: ["symbol", "price", "timestamp"],
          properties: {
            symbol: { type: "string", pattern: "^[A-Za-z0-9]{1,20}$", description: "becomes <SOURCE>_<SYMBOL> upper-case" },
            price: { oneOf: [{ type: "number", exclusiveMinimum: 0 }, { type: "string" }] },
            timestamp: { oneOf: [{ type: "number", description: "ms since epoch (seconds when below 1e11)" }, { type: "string", format: "date-time" }] },
            quantity: { oneOf: [{ type: "number", minimum: 0 }, { type: "string" }], default: 1 },
            data_type: { type: "string", example: "market" },
          },
        },
        Envelope: {
          type: "object",
          required: ["data_type", "payload"],
          properties: {
            data_type: { type: "string", example: "iot", description: "market/crypto/stock → market pipeline; iot → sensor table; logs → log table; anything else → its own table" },
            payload: { oneOf: [{ type: "object" }, { type: "string", description: "logs only: the message" }] },
            timestamp: { oneOf: [{ type: "number" }, { type: "string", format: "date-time" }] },
          },
        },
        Accepted: {
          type: "object",
          properties: { accepted: { type: "integer" }, sequences: { type: "array", items: { type: "integer" } }, duplicates: { type: "integer" }, stream: { type: "string" } },
        },
        Error: { type: "object", properties: { error: { type: "string" }, message: { type: "string" }, field: { type: "string" }, index: { type: "integer" } } },
      },
    },
  };
}
