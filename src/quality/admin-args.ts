/** `admin quality [run] [--since <ISO time | epoch ms | 90m | 2h | 3d>] [--all]` · `quality status` · `quality reports [n]`. */
import { AdminBadRequest } from "../admin/service.js";

export type QualityCommand = { type: "run"; sinceMs: number | null | undefined } | { type: "status" } | { type: "reports"; limit: number };

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSince(text: string, now: number): number {
  const rel = /^(\d+)([smhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  if (/^\d{10,}$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new AdminBadRequest(`--since "${text}": give an ISO time, epoch ms, or a duration like 90m, 2h, 3d`);
  return t;
}

export function parseQualityArgs(args: readonly string[], now: number): QualityCommand {
  const [first, ...rest] = args;
  if (first === "status" && rest.length === 0) return { type: "status" };
  if (first === "reports") {
    const limit = rest[0] === undefined ? 20 : Number(rest[0]);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AdminBadRequest("quality reports [n]: n must be an integer from 1 to 500");
    return { type: "reports", limit };
  }
  const opts = first === "run" ? rest : args;
  let sinceMs: number | null | undefined;
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i]!;
    if (a === "--all") sinceMs = null;
    else if (a === "--since") {
      const v = opts[++i];
      if (v === undefined) throw new AdminBadRequest("--since needs a value");
      sinceMs = parseSince(v, now);
    } else throw new AdminBadRequest(`unknown quality argument "${a}" (usage: quality [run] [--since T | --all] | quality status | quality reports [n])`);
  }
  return { type: "run", sinceMs };
}

/** `admin verify [--since <ISO time | epoch ms | 90m | 2h | 3d>]`: without --since, everything the log still holds. */
export function parseVerifyArgs(args: readonly string[], now: number): { sinceMs: number | null } {
  let sinceMs: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--since") {
      const v = args[++i];
      if (v === undefined) throw new AdminBadRequest("--since needs a value");
      sinceMs = parseSince(v, now);
    } else throw new AdminBadRequest(`unknown verify argument "${a}" (usage: verify [--since T])`);
  }
  return { sinceMs };
}
