/**
 * Signed admin requests. A token never travels: the caller derives a signing key from it
 * (scrypt, so a captured signature is an expensive oracle even for a weak token) and sends an
 * HMAC-SHA256 over a canonical encoding of everything the request means — command, args,
 * target node ("*" for all), time, a fresh nonce, who signs and for whom — with the key's id so
 * the node knows which key to check. The node refuses a bad signature, a request outside the
 * allowed clock skew and a nonce it has already seen (see ReplayGuard).
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/** Everything a signature covers. `target` is a node id, or "*" for a broadcast. */
export interface AdminRequestFields {
  command: string;
  args: string[];
  target: string;
  /** Unix milliseconds when the caller signed. */
  ts: number;
  nonce: string;
  /** Who signs (user@host, or the web node). */
  caller: string;
  /** Whom the signer acts for: the person the web server authenticated. */
  onBehalfOf?: string | undefined;
}

export interface SignedFields extends AdminRequestFields {
  keyId: string;
  /** HMAC-SHA256 of canonicalAdminPayload, base64url. */
  sig: string;
}

const VERSION = "tickhouse-admin-v1";
const SALT = "tickhouse-admin-key/v1";
// 16 MiB and ~50 ms once per token and process: cheap for us, costly per guess for a sniffer.
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A signing key derived from an admin token; only its id is ever shown. */
export class AdminKey {
  readonly id: string;
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
    this.id = createHash("sha256").update("key-id:").update(key).digest("hex").slice(0, 16);
  }

  static #cache = new Map<string, AdminKey>();

  /** Derives (and remembers, for the few tokens a process holds) the key of a token. */
  static fromToken(token: string): AdminKey {
    if (token.length === 0) throw new TypeError("an admin token cannot be empty");
    const cached = AdminKey.#cache.get(token);
    if (cached) return cached;
    const key = new AdminKey(scryptSync(token, SALT, 32, SCRYPT));
    if (AdminKey.#cache.size >= 32) AdminKey.#cache.delete(AdminKey.#cache.keys().next().value!);
    AdminKey.#cache.set(token, key);
    return key;
  }

  mac(payload: string): Buffer {
    return createHmac("sha256", this.#key).update(payload).digest();
  }
}

/** One string per meaning: a JSON array of the fields in a fixed order (JSON escapes every separator). */
export function canonicalAdminPayload(f: AdminRequestFields & { keyId: string }): string {
  return JSON.stringify([VERSION, f.keyId, f.command, f.args, f.target, f.ts, f.nonce, f.caller, f.onBehalfOf ?? null]);
}

export function newNonce(): string {
  return randomBytes(16).toString("base64url");
}

export function signAdminRequest(key: AdminKey, fields: AdminRequestFields): SignedFields {
  const withKey = { ...fields, keyId: key.id };
  return { ...withKey, sig: key.mac(canonicalAdminPayload(withKey)).toString("base64url") };
}

export type SignatureCheck = { ok: true; key: AdminKey } | { ok: false; reason: string };

/** Checks the signature against every key with that id (ids are short; two tokens could share one). */
export function checkSignature(keys: readonly AdminKey[], f: SignedFields): SignatureCheck {
  const candidates = keys.filter((k) => k.id === f.keyId);
  if (candidates.length === 0) return { ok: false, reason: `unknown admin key ${f.keyId}` };
  const given = Buffer.from(f.sig, "base64url");
  const payload = canonicalAdminPayload(f);
  for (const key of candidates) {
    const expected = key.mac(payload);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, key };
  }
  return { ok: false, reason: "bad signature" };
}

/** Pure: what is wrong with the shape of a decoded request, or undefined. */
export function signedFieldsProblem(r: Record<string, unknown>): string | undefined {
  if (!Array.isArray(r.args) || !r.args.every((a) => typeof a === "string")) return "args must be an array of strings";
  for (const name of ["command", "target", "nonce", "caller", "keyId", "sig"] as const) {
    if (typeof r[name] !== "string" || r[name] === "") return `${name} must be a non-empty string`;
  }
  if (r.onBehalfOf !== undefined && typeof r.onBehalfOf !== "string") return "onBehalfOf must be a string";
  if (typeof r.ts !== "number" || !Number.isSafeInteger(r.ts)) return "ts must be an integer (unix ms)";
  if ((r.nonce as string).length > 64) return "nonce is too long";
  return undefined;
}
