/**
 * Replays a recording in the JSON-lines format `{"stream":"btcusdt@trade","data":{…}}` paced by
 * each event's trade time `T` (or event time `E`): real speed, ×N, or as fast as the sockets take.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { MarketSource, SimEvent, Speed } from "./source.js";

interface Row {
  stream: string;
  data: string;
  time: number;
}

export class ReplaySource implements MarketSource {
  readonly streams: ReadonlySet<string>;
  readonly rows: readonly Row[];
  #speed: Speed;
  #pos = 0;
  #startWall = 0;

  private constructor(rows: Row[], speed: Speed) {
    this.rows = rows;
    this.streams = new Set(rows.map((r) => r.stream));
    this.#speed = speed;
  }

  /** Reads the whole recording (lines that are not `{stream, data}` envelopes are skipped). */
  static async load(path: string, speed: Speed): Promise<ReplaySource> {
    const rows: Row[] = [];
    const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
    let lastTime = 0;
    for await (const line of lines) {
      if (line.trim() === "") continue;
      let env: unknown;
      try {
        env = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof env !== "object" || env === null) continue;
      const e = env as { stream?: unknown; data?: unknown };
      if (typeof e.stream !== "string" || e.data === undefined) continue;
      const d = e.data as { T?: unknown; E?: unknown };
      const t = typeof d.T === "number" ? d.T : typeof d.E === "number" ? d.E : lastTime;
      lastTime = Math.max(lastTime, t);
      rows.push({ stream: e.stream, data: JSON.stringify(e.data), time: lastTime });
    }
    return new ReplaySource(rows, speed);
  }

  get remaining(): number {
    return this.rows.length - this.#pos;
  }

  start(now: number): void {
    this.#startWall = now;
  }

  next(now: number, max: number): { events: SimEvent[]; waitMs: number } | "end" {
    if (this.#pos >= this.rows.length) return "end";
    const events: SimEvent[] = [];
    const t0 = this.rows[0]!.time;
    while (this.#pos < this.rows.length && events.length < max) {
      const row = this.rows[this.#pos]!;
      if (this.#speed !== "max") {
        const due = this.#startWall + (row.time - t0) / this.#speed;
        if (due > now) return { events, waitMs: Math.max(1, Math.ceil(due - now)) };
      }
      events.push({ stream: row.stream, data: row.data });
      this.#pos++;
    }
    return { events, waitMs: 0 };
  }
}
