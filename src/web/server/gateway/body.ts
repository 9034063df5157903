/** Reads a request body up to a byte limit and turns it into records (JSON value, JSON array or NDJSON). */
import type { IncomingMessage } from "node:http";

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
    this.name = "BodyTooLarge";
  }
}

export class MalformedBody extends Error {
  /** The answer's `error`: `invalid_body`, or `invalid_encoding` for bytes that are not UTF-8. */
  readonly error: "invalid_body" | "invalid_encoding";
  constructor(message: string, readonly line?: number, error: "invalid_body" | "invalid_encoding" = "invalid_body") {
    super(message);
    this.name = "MalformedBody";
    this.error = error;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume(); // keep reading (and dropping) so the 413 can be written back
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    let ended = false;
    req.on("data", onData);
    req.once("end", () => {
      ended = true;
      if (size <= limit) resolve(Buffer.concat(chunks));
    });
    // A client abort surfaces as an error ("aborted") or a close without "end": the client's
    // doing, not ours (400, though nobody is left to read it); the handler must still settle.
    req.once("error", (err) => reject(new MalformedBody(`the request failed while its body was read: ${err.message}`)));
    req.once("close", () => ended || reject(new MalformedBody("the request was aborted before its body ended")));
  });
}

export function isNdjson(contentType: string | undefined): boolean {
  return /ndjson|jsonl|json-seq/i.test(contentType ?? "");
}

/** The records of a body: a JSON object, a JSON array of records, or one JSON value per line. */
export function parseRecords(body: Buffer, ndjson: boolean): unknown[] {
  let text: string;
  try {
    // Buffer.toString would turn invalid bytes into U+FFFD: the stored text would not be what was sent.
    text = utf8.decode(body);
  } catch {
    throw new MalformedBody("body is not valid UTF-8", undefined, "invalid_encoding");
  }
  if (ndjson) {
    const out: unknown[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === "") continue;
      try {
        out.push(JSON.parse(line));
      } catch (err) {
        throw new MalformedBody(`line ${i + 1} is not JSON: ${(err as Error).message}`, i + 1);
      }
    }
    return out;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedBody(`body is not JSON: ${(err as Error).message}`);
  }
  return Array.isArray(value) ? value : [value];
}

/** One record of a body, or why its line could not be read (partial NDJSON requests). */
export type ParsedItem = { ok: true; value: unknown } | { ok: false; error: "invalid_body" | "invalid_encoding"; message: string };

/**
 * NDJSON line by line, each line decoded on its own: a line that is not UTF-8 or not JSON is
 * refused alone. Lines split on the byte 0x0A, which never occurs inside a multi-byte UTF-8 character.
 */
export function parseNdjsonItems(body: Buffer): ParsedItem[] {
  const out: ParsedItem[] = [];
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    const end = body.indexOf(0x0a, start) < 0 ? body.length : body.indexOf(0x0a, start);
    line++;
    const bytes = body.subarray(start, end);
    start = end + 1;
    let text: string;
    try {
      text = utf8.decode(bytes).trim();
    } catch {
      out.push({ ok: false, error: "invalid_encoding", message: `line ${line} is not valid UTF-8` });
      continue;
    }
    if (text === "") continue;
    try {
      out.push({ ok: true, value: JSON.parse(text) });
    } catch (err) {
      out.push({ ok: false, error: "invalid_body", message: `line ${line} is not JSON: ${(err as Error).message}` });
    }
  }
  return out;
}
