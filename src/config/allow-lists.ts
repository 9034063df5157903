/** WEB_ALLOWED_HOSTS and WEB_ALLOWED_ORIGINS, parsed and checked once (used by web/server/request-policy.ts). */
export class AllowListError extends Error {
  override name = "AllowListError";
}

const HOST_ENTRY = /^(\*|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

/** WEB_ALLOWED_HOSTS entries, lower-cased; throws naming the bad entry. */
export function parseAllowedHosts(entries: readonly string[], option = "WEB_ALLOWED_HOSTS"): string[] {
  return entries.map((entry) => {
    const e = entry.trim().toLowerCase();
    const m = HOST_ENTRY.exec(e);
    if (!m || (m[2] !== undefined && Number(m[2]) > 65535) || (m[1] === "*" && m[2] !== undefined)) {
      throw new AllowListError(`${option}: "${entry}" is not a host name, address or host:port (examples: dash.example.com, 10.0.0.5:3000, [::1]:3000, *)`);
    }
    return e;
  });
}

/** WEB_ALLOWED_ORIGINS entries as URL origins; throws naming the bad entry. */
export function parseAllowedOrigins(entries: readonly string[], option = "WEB_ALLOWED_ORIGINS"): string[] {
  return entries.map((entry) => {
    let url: URL | null = null;
    try {
      url = new URL(entry.trim());
    } catch {
      // reported below
    }
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:") || url.origin === "null" || `${url.origin}/` !== url.href.replace(/\/?$/, "/")) {
      throw new AllowListError(`${option}: "${entry}" is not an origin (scheme://host[:port] with http or https, no path; example: https://dash.example.com)`);
    }
    return url.origin;
  });
}
