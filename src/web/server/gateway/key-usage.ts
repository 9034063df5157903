/**
 * Use of the gateway's API keys on this node, counted in memory: what the list shows (last use,
 * requests and records, requests in the last minute) and what is owed to the database. The
 * runtime keys' usage is written in one batch every few seconds (ApiKeyStore), never one write
 * per request. Pure apart from the clock the caller passes in.
 */
export interface KeyUse {
  lastUsedAt: number;
  requests: number;
  records: number;
}

const MINUTE = 60_000;

interface Counter {
  total: KeyUse;
  pending: KeyUse | undefined;
  /** Requests in the current and the previous one-minute window (a sliding estimate of the rate). */
  windowStart: number;
  current: number;
  previous: number;
}

export class KeyUsage {
  readonly #counters = new Map<string, Counter>();

  record(keyId: string, records: number, now: number): void {
    let c = this.#counters.get(keyId);
    if (c === undefined) {
      c = { total: { lastUsedAt: now, requests: 0, records: 0 }, pending: undefined, windowStart: now, current: 0, previous: 0 };
      this.#counters.set(keyId, c);
    }
    this.#roll(c, now);
    c.current++;
    add(c.total, now, records);
    c.pending = add(c.pending ?? { lastUsedAt: now, requests: 0, records: 0 }, now, records);
  }

  /** This node's counts since it started, with requests per minute (sliding estimate). */
  snapshot(keyId: string, now: number): (KeyUse & { perMinute: number }) | undefined {
    const c = this.#counters.get(keyId);
    if (c === undefined) return undefined;
    this.#roll(c, now);
    const elapsed = (now - c.windowStart) / MINUTE;
    return { ...c.total, perMinute: Math.round(c.current + c.previous * Math.max(0, 1 - elapsed)) };
  }

  /** The usage not yet written, handed over (and forgotten here). */
  takePending(): (KeyUse & { keyId: string })[] {
    const out: (KeyUse & { keyId: string })[] = [];
    for (const [keyId, c] of this.#counters) {
      if (c.pending) out.push({ keyId, ...c.pending });
      c.pending = undefined;
    }
    return out;
  }

  /** Usage whose write failed comes back, to go with the next flush. */
  restorePending(usage: readonly (KeyUse & { keyId: string })[]): void {
    for (const u of usage) {
      const c = this.#counters.get(u.keyId);
      if (c === undefined) continue;
      c.pending = c.pending ? { lastUsedAt: Math.max(c.pending.lastUsedAt, u.lastUsedAt), requests: c.pending.requests + u.requests, records: c.pending.records + u.records } : { ...u };
    }
  }

  /** What this node counted for a key and has not written yet. */
  pendingOf(keyId: string): KeyUse | undefined {
    const p = this.#counters.get(keyId)?.pending;
    return p ? { ...p } : undefined;
  }

  #roll(c: Counter, now: number): void {
    const windows = Math.floor((now - c.windowStart) / MINUTE);
    if (windows <= 0) return;
    c.previous = windows === 1 ? c.current : 0;
    c.current = 0;
    c.windowStart += windows * MINUTE;
  }
}

function add(use: KeyUse, now: number, records: number): KeyUse {
  use.lastUsedAt = Math.max(use.lastUsedAt, now);
  use.requests++;
  use.records += records;
  return use;
}
