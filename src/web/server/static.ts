/**
 * Serves the built React app: files from `dist/web` (hashed assets cached for a year), and
 * index.html for any other GET path (client-side routes). If the app is not built, a page says
 * how to build it instead of a bare 404.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/** The file a URL path names inside `root`, or null when it would escape it. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0] ?? "/");
  } catch {
    return null;
  }
  const full = resolve(root, "." + normalize("/" + decoded));
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Tickhouse — dashboard not built</title>
<style>body{background:#0b0f17;color:#d6deeb;font:15px/1.5 system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0}
code{background:#141b2a;padding:2px 6px;border-radius:4px;color:#7fd1ff}</style></head>
<body><div><h1>The dashboard is not built yet</h1><p>Build it with <code>npx vite build --config src/web/vite.config.ts</code>
and reload. The API is up: <code>/trpc</code>, <code>/healthz</code>, <code>/metrics</code>.</p></div></body></html>`;

export function staticHandler(root: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const path = resolveStaticPath(root, req.url ?? "/");
    if (path === null) {
      res.writeHead(400).end("bad path");
      return;
    }
    let file = path;
    if (!(await isFile(file))) {
      // An asset that does not exist is a 404; any other path is a client route.
      if (extname(file) !== "" && extname(file) !== ".html") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      file = join(root, "index.html");
      if (!(await isFile(file))) {
        res.writeHead(503, { "content-type": "text/html; charset=utf-8" }).end(NOT_BUILT);
        return;
      }
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
}
