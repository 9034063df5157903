/**
 * Bounded on-disk spool for log entries that could not be published (NATS unreachable).
 * Segment files `seg-<12-digit seq>.spool` under one directory, each a sequence of records:
 *   [u32 BE header length][u32 BE payload length][header JSON][payload bytes]
 * Records are read back in write order; a segment is deleted once every record in it was acked.
 * It survives a process restart: `open` scans what is left and reports the last trade id per
 * (source, symbol), so a restarted publisher does not accept those trades a second time.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeSync, ftruncateSync } from "node:fs";
import { join } from "node:path";

export interface SpoolRecordHeader {
  subject: string;
  msgId?: string;
  /** Set for trade batches: used to re-check against the stream before re-publishing. */
  source?: string;
  symbol?: string;
  firstId?: number;
  lastId?: number;
}

export interface SpoolRecord {
  header: SpoolRecordHeader;
  payload: Uint8Array;
}

/** Proof of a read; `ack` it once the record is safely in the log. */
export interface SpoolTicket {
  readonly segment: number;
}

export interface SpoolOptions {
  /** Soft bound: `isFull` turns true at this many bytes on disk (writes still succeed). Default 1 GiB. */
  maxBytes?: number;
  /** A new segment starts past this size. Default 8 MiB. */
  segmentBytes?: number;
}

interface Segment {
  seq: number;
  path: string;
  size: number;
  /** Records read from it in the current pass, and how many of those were acked. */
  read: number;
  acked: number;
}

const SEG = /^seg-(\d{12})\.spool$/;
const segName = (seq: number) => `seg-${String(seq).padStart(12, "0")}.spool`;

export class DiskSpool {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  #segments: Segment[] = [];
  #writeFd: number | null = null;
  #readSeg = 0; // index into #segments
  #readOffset = 0;
  #bytes = 0;
  #records = 0; // unacked records on disk (approximate across restarts: counted at open)
  readonly lastIdAtOpen = new Map<string, number>();

  private constructor(dir: string, options: SpoolOptions) {
    this.dir = dir;
    this.maxBytes = options.maxBytes ?? 1024 ** 3;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 ** 2;
  }

  static open(dir: string, options: SpoolOptions = {}): DiskSpool {
    mkdirSync(dir, { recursive: true });
    const spool = new DiskSpool(dir, options);
    const seqs = readdirSync(dir)
      .map((f) => SEG.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const path = join(dir, segName(seq));
      const seg: Segment = { seq, path, size: statSync(path).size, read: 0, acked: 0 };
      spool.#segments.push(seg);
      spool.#scan(seg);
      spool.#bytes += seg.size;
    }
    return spool;
  }

  /** Counts records and notes trade high-water marks; cuts a torn record left by a crash mid-write. */
  #scan(seg: Segment): void {
    const fd = openSync(seg.path, "r+");
    try {
      let off = 0;
      for (;;) {
        const rec = readRecord(fd, off, seg.size);
        if (rec === null) break;
        this.#records++;
        const h = rec.record.header;
        if (h.source !== undefined && h.symbol !== undefined && h.lastId !== undefined) {
          const key = `${h.source}:${h.symbol}`;
          this.lastIdAtOpen.set(key, Math.max(this.lastIdAtOpen.get(key) ?? -Infinity, h.lastId));
        }
        off = rec.next;
      }
      if (off < seg.size) {
        ftruncateSync(fd, off);
        seg.size = off;
      }
    } finally {
      closeSync(fd);
    }
  }

  get bytes(): number {
    return this.#bytes;
  }
  get segments(): number {
    return this.#segments.length;
  }
  /** Records written and not yet acked. */
  get records(): number {
    return this.#records;
  }
  get isFull(): boolean {
    return this.#bytes >= this.maxBytes;
  }
  get isEmpty(): boolean {
    return this.#records === 0;
  }

  append(record: SpoolRecord): void {
    const header = Buffer.from(JSON.stringify(record.header));
    const buf = Buffer.allocUnsafe(8 + header.length + record.payload.length);
    buf.writeUInt32BE(header.length, 0);
    buf.writeUInt32BE(record.payload.length, 4);
    header.copy(buf, 8);
    buf.set(record.payload, 8 + header.length);
    let tail = this.#segments[this.#segments.length - 1];
    if (tail === undefined || this.#writeFd === null || tail.size >= this.segmentBytes) {
      if (this.#writeFd !== null) closeSync(this.#writeFd);
      const seq = (tail?.seq ?? 0) + 1;
      tail = { seq, path: join(this.dir, segName(seq)), size: 0, read: 0, acked: 0 };
      this.#writeFd = openSync(tail.path, "a");
      this.#segments.push(tail);
    }
    writeSync(this.#writeFd, buf);
    tail.size += buf.length;
    this.#bytes += buf.length;
    this.#records++;
  }

  /** The next unread record in write order, or null when everything written has been read. */
  readNext(): { record: SpoolRecord; ticket: SpoolTicket } | null {
    for (;;) {
      const seg = this.#segments[this.#readSeg];
      if (seg === undefined) return null;
      if (this.#readOffset < seg.size) {
        const fd = openSync(seg.path, "r");
        try {
          const rec = readRecord(fd, this.#readOffset, seg.size);
          if (rec !== null) {
            this.#readOffset = rec.next;
            seg.read++;
            return { record: rec.record, ticket: { segment: seg.seq } };
          }
        } finally {
          closeSync(fd);
        }
      }
      if (this.#readSeg === this.#segments.length - 1) return null; // the tail may still grow
      this.#readSeg++;
      this.#readOffset = 0;
      this.#collect();
    }
  }

  /** Marks a read record as safely published; whole segments are deleted when done. */
  ack(ticket: SpoolTicket): void {
    const seg = this.#segments.find((s) => s.seq === ticket.segment);
    if (seg === undefined) return;
    seg.acked++;
    this.#records = Math.max(0, this.#records - 1);
    this.#collect();
  }

  #collect(): void {
    for (;;) {
      const head = this.#segments[0];
      if (head === undefined) return;
      const fullyRead = this.#readSeg > 0 || this.#readOffset >= head.size;
      if (!fullyRead || head.acked < head.read) return;
      if (this.#segments.length === 1 && this.#writeFd !== null) {
        closeSync(this.#writeFd);
        this.#writeFd = null;
      }
      if (this.#readSeg > 0) this.#readSeg--;
      else this.#readOffset = 0;
      unlinkSync(head.path);
      this.#bytes -= head.size;
      this.#segments.shift();
    }
  }

  /** Forgets the read position: the next read starts again at the oldest unacked segment. */
  rewind(): void {
    for (const s of this.#segments) {
      s.read = 0;
      s.acked = 0;
    }
    this.#readSeg = 0;
    this.#readOffset = 0;
    this.#records = this.#countRecords();
  }

  #countRecords(): number {
    let n = 0;
    for (const seg of this.#segments) {
      const fd = openSync(seg.path, "r");
      try {
        let off = 0;
        for (let r = readRecord(fd, off, seg.size); r !== null; r = readRecord(fd, off, seg.size)) {
          n++;
          off = r.next;
        }
      } finally {
        closeSync(fd);
      }
    }
    return n;
  }

  close(): void {
    if (this.#writeFd !== null) closeSync(this.#writeFd);
    this.#writeFd = null;
  }
}

function readRecord(fd: number, offset: number, size: number): { record: SpoolRecord; next: number } | null {
  if (offset + 8 > size) return null;
  const head = Buffer.allocUnsafe(8);
  readSync(fd, head, 0, 8, offset);
  const hl = head.readUInt32BE(0);
  const pl = head.readUInt32BE(4);
  if (offset + 8 + hl + pl > size) return null;
  const body = Buffer.allocUnsafe(hl + pl);
  readSync(fd, body, 0, hl + pl, offset + 8);
  let header: SpoolRecordHeader;
  try {
    header = JSON.parse(body.subarray(0, hl).toString("utf8")) as SpoolRecordHeader;
  } catch {
    return null;
  }
  return { record: { header, payload: new Uint8Array(body.subarray(hl)) }, next: offset + 8 + hl + pl };
}
