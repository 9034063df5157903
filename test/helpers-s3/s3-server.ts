import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";

/**
 * A minimal S3-compatible server over real HTTP, for tests. It implements exactly the calls the
 * lake uses, path-style: CreateBucket, PutObject (with `If-None-Match: *` → 412 when the key exists),
 * GetObject, HeadObject, DeleteObject, ListObjectsV2 (prefix, start-after, continuation, max-keys).
 * Signatures are not checked. Objects live in memory for the life of the server.
 * Why our own: s3rver, the usual npm choice, ignores If-None-Match on PutObject (its putObject
 * stores unconditionally; only GET answers 304), so it would hide every commit conflict.
 */
export interface S3ServerHandle extends AsyncDisposable {
  readonly endpoint: string;
  readonly port: number;
  /** Creates a bucket with a random name and returns it. */
  createBucket(prefix?: string): string;
  /** While down, every request gets 503 (an outage the client sees over HTTP). */
  setDown(down: boolean): void;
  /** Count of requests by operation, for tests that check what the client did. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startS3Server(): Promise<S3ServerHandle> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const calls = new Map<string, number>();
  let down = false;
  const count = (op: string) => calls.set(op, (calls.get(op) ?? 0) + 1);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (down) {
      await readBody(req);
      return sendError(res, 503, "ServiceUnavailable", "test server is down");
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const [, bucketName = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const method = req.method ?? "GET";
    if (!bucketName) return sendError(res, 400, "InvalidRequest", "path-style bucket required");
    if (req.headers["content-encoding"]?.includes("aws-chunked")) {
      return sendError(res, 501, "NotImplemented", "aws-chunked uploads are not supported by the test server");
    }
    if (!key) {
      if (method === "PUT") {
        count("CreateBucket");
        if (!buckets.has(bucketName)) buckets.set(bucketName, new Map());
        res.writeHead(200).end();
        return;
      }
      const bucket = buckets.get(bucketName);
      if (!bucket) return sendError(res, 404, "NoSuchBucket", bucketName);
      if (method === "HEAD") return void res.writeHead(200).end();
      if (method === "GET" && url.searchParams.get("list-type") === "2") {
        count("ListObjectsV2");
        return listObjects(bucketName, bucket, url.searchParams, res);
      }
      return sendError(res, 501, "NotImplemented", `${method} on a bucket`);
    }
    const bucket = buckets.get(bucketName);
    if (!bucket) return sendError(res, 404, "NoSuchBucket", bucketName);
    switch (method) {
      case "PUT": {
        count("PutObject");
        const body = await readBody(req);
        const ifNoneMatch = req.headers["if-none-match"];
        if (ifNoneMatch !== undefined) {
          count("PutObjectIfNoneMatch");
          if (ifNoneMatch !== "*") return sendError(res, 501, "NotImplemented", "If-None-Match supports only *");
          if (bucket.has(key)) return sendError(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        }
        const etag = `"${createHash("md5").update(body).digest("hex")}"`;
        bucket.set(key, { body, etag, lastModified: new Date() });
        res.writeHead(200, { etag }).end();
        return;
      }
      case "GET":
      case "HEAD": {
        count(method === "GET" ? "GetObject" : "HeadObject");
        const obj = bucket.get(key);
        if (!obj) {
          if (method === "HEAD") return void res.writeHead(404).end();
          return sendError(res, 404, "NoSuchKey", key);
        }
        res.writeHead(200, {
          "content-length": obj.body.length,
          etag: obj.etag,
          "last-modified": obj.lastModified.toUTCString(),
          "content-type": "application/octet-stream",
        });
        res.end(method === "GET" ? obj.body : undefined);
        return;
      }
      case "DELETE":
        count("DeleteObject");
        bucket.delete(key);
        res.writeHead(204).end();
        return;
      default:
        return sendError(res, 501, "NotImplemented", method);
    }
  }

  function listObjects(name: string, bucket: Map<string, StoredObject>, q: URLSearchParams, res: ServerResponse): void {
    const prefix = q.get("prefix") ?? "";
    const after = q.get("continuation-token") ?? q.get("start-after") ?? "";
    const maxKeys = Math.min(1000, Number(q.get("max-keys") ?? 1000));
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = bucket.get(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join("");
    const next = truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!)}</NextContinuationToken>` : "";
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(name)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    );
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, 500, "InternalError", String(err)));
  });
  // Port 0: the OS picks one that is free at bind time (a port asked for first could be taken meanwhile).
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    calls,
    createBucket(prefix = "test") {
      const name = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
      buckets.set(name, new Map());
      return name;
    },
    setDown(d) {
      down = d;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
