/**
 * Who may talk to the web server's API as a browser. Pure checks over request headers:
 * - Host must be one of the server's own names (localhost, 127.0.0.1, [::1], the listen address)
 *   with its port, or in WEB_ALLOWED_HOSTS. A page whose DNS name was rebound to this machine
 *   sends its own name as Host, so it is refused (DNS rebinding).
 * - Origin, when the browser sends one, must be the server's own (a Host it accepts) or in
 *   WEB_ALLOWED_ORIGINS. A page on another site or port cannot call a mutation or open the
 *   WebSocket. Clients that are not browsers send no Origin and are judged by their token.
 * - tRPC POST bodies must be application/json: a cross-site HTML form can only send
 *   multipart/form-data, urlencoded or text/plain.
 */
import type { IncomingHttpHeaders } from "node:http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { parseAllowedHosts, parseAllowedOrigins } from "../../config/allow-lists.js";

export type Refusal =
  | { status: 401 | 403 | 415; code: "UNAUTHORIZED" | "FORBIDDEN" | "UNSUPPORTED_MEDIA_TYPE"; message: string }
  | { status: 429; code: "TOO_MANY_REQUESTS"; message: string; retryAfterSeconds: number };

export interface RequestPolicyOptions {
  /** The address the server listens on (WEB_HOST); 0.0.0.0 / :: add no name. */
  listenHost: string;
  port: number;
  /** WEB_ALLOWED_HOSTS: `name` (any port the client shows, or none) or `name:port`; `*` accepts any Host. */
  allowedHosts?: readonly string[];
  /** WEB_ALLOWED_ORIGINS: `scheme://host[:port]`. */
  allowedOrigins?: readonly string[];
}

const WILDCARD_ADDRESSES = new Set(["", "0.0.0.0", "::", "[::]"]);
/** `name:port` for a listen address, IPv6 in brackets. */
function hostPort(name: string, port: number): string {
  return `${name.includes(":") && !name.startsWith("[") ? `[${name}]` : name}:${port}`.toLowerCase();
}

export class RequestPolicy {
  readonly #hosts = new Set<string>();
  readonly #anyHost: boolean;
  readonly #origins: Set<string>;

  constructor(o: RequestPolicyOptions) {
    const own = ["localhost", "127.0.0.1", "[::1]"];
    if (!WILDCARD_ADDRESSES.has(o.listenHost)) own.push(o.listenHost);
    for (const name of own) this.#hosts.add(hostPort(name, o.port));
    // Port 80 is the one a browser leaves out of Host.
    if (o.port === 80) for (const name of own) this.#hosts.add(hostPort(name, 80).replace(/:80$/, ""));
    const allowed = parseAllowedHosts(o.allowedHosts ?? []);
    this.#anyHost = allowed.includes("*");
    for (const entry of allowed) {
      this.#hosts.add(entry);
      // A bare name is reached at this port directly, or without one through a proxy.
      if (!/:\d+$/.test(entry)) this.#hosts.add(`${entry}:${o.port}`);
    }
    this.#origins = new Set(parseAllowedOrigins(o.allowedOrigins ?? []));
  }

  hostAllowed(host: string | undefined): boolean {
    if (this.#anyHost) return true;
    return host !== undefined && this.#hosts.has(host.trim().toLowerCase());
  }

  originAllowed(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    return this.#origins.has(url.origin) || this.hostAllowed(url.host);
  }

  /** The Host and Origin gate (every /trpc request and the WebSocket upgrade); null when both pass. */
  checkCaller(headers: IncomingHttpHeaders): Refusal | null {
    if (!this.hostAllowed(headers.host)) {
      return { status: 403, code: "FORBIDDEN", message: `Host "${headers.host ?? ""}" is not one of this server's names; add it to WEB_ALLOWED_HOSTS to serve under it` };
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.originAllowed(origin)) {
      return { status: 403, code: "FORBIDDEN", message: `Origin "${origin}" may not call this server (a page of another site or port); add it to WEB_ALLOWED_ORIGINS if it should` };
    }
    return null;
  }

  /** The caller gate plus JSON-only bodies, for HTTP tRPC requests. */
  checkTrpc(method: string | undefined, headers: IncomingHttpHeaders): Refusal | null {
    const caller = this.checkCaller(headers);
    if (caller) return caller;
    if (method === "POST" && !isJson(headers["content-type"])) {
      return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: `tRPC requests must be application/json (got "${headers["content-type"] ?? "no content type"}")` };
    }
    return null;
  }
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

/**
 * A refusal as tRPC's error envelope (one per call of a batch), so a tRPC client shows the
 * message and code as it would for a procedure's own error.
 */
export function refusalBody(refusal: Refusal, url: string): string {
  const [pathPart = "", query = ""] = url.split("?", 2);
  const paths = decodeURIComponent(pathPart.replace(/^\/trpc\/?/, "")).split(",");
  const error = { error: { message: refusal.message, code: TRPC_ERROR_CODES_BY_KEY[refusal.code], data: { code: refusal.code, httpStatus: refusal.status } } };
  const batch = new URLSearchParams(query).get("batch") === "1";
  return JSON.stringify(batch ? paths.map(() => error) : error);
}
