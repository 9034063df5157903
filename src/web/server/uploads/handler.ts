/**
 * The uploads' HTTP API, for the Data page (and curl). Every route is an admin action: the
 * caller needs what the Control page needs (an admin session, `x-admin-token`, or loopback when
 * no ADMIN_TOKENS are set), and creating an upload and its outcome are audited.
 *
 *   POST /api/uploads                       {kind, name, size, symbol | source + dataType} → 201 status
 *   GET  /api/uploads                       recent uploads
 *   GET  /api/uploads/<id>                  status: bytes received, phase, progress, result or error
 *   PUT  /api/uploads/<id>?offset=<n>       the next chunk (≤ 8 MiB) → status; 409 {received} to resume elsewhere
 *   GET  /api/uploads/<id>/rejects          the refused rows as CSV
 */
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { BodyTooLarge, MalformedBody, readBody } from "../gateway/body.js";
import type { NatsConnection } from "@nats-io/nats-core";
import { controlServicesFor } from "../../../control/web-services.js";
import type { AdminCaller } from "../routers/admin-gate.js";
import { UploadChunkTooLarge, UploadNotFound, UploadOffsetMismatch, UploadRefused, type Uploads } from "./uploads.js";
import { uploadRequestSchema } from "./request.js";
import type { UploadStatus } from "./types.js";

export const UPLOADS_PATH = "/api/uploads";

export interface UploadAudit {
  /** An upload was created, or finished (ok / failed). */
  done(caller: AdminCaller, command: string, args: string[], result: "ok" | "failed", detail?: string): void;
  refused(remoteAddress: string | undefined, command: string, detail: string): void;
}

export interface UploadHandlerOptions {
  uploads: Uploads;
  /** The admin behind this request, or a TRPCError (UNAUTHORIZED, FORBIDDEN, TOO_MANY_REQUESTS). */
  authorize(req: IncomingMessage): AdminCaller;
  audit?: UploadAudit;
}

const STATUS_OF_CODE: Partial<Record<TRPCError["code"], number>> = { UNAUTHORIZED: 401, FORBIDDEN: 403, TOO_MANY_REQUESTS: 429 };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

export function uploadHandler(o: UploadHandlerOptions): { matches(path: string): boolean; handle(req: IncomingMessage, res: ServerResponse): Promise<void> } {
  return {
    matches: (path) => path === UPLOADS_PATH || path.startsWith(`${UPLOADS_PATH}/`),
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      const [id, sub, ...rest] = url.pathname.slice(UPLOADS_PATH.length + 1).split("/").filter((p) => p !== "");
      const command = req.method === "POST" ? "upload" : req.method === "PUT" ? "upload-chunk" : "upload-read";
      let caller: AdminCaller;
      try {
        caller = o.authorize(req);
      } catch (err) {
        if (!(err instanceof TRPCError)) throw err;
        if (command !== "upload-read") o.audit?.refused(req.socket?.remoteAddress, command, err.message);
        return send(res, STATUS_OF_CODE[err.code] ?? 403, { error: err.message });
      }
      try {
        if (rest.length > 0 || (sub !== undefined && sub !== "rejects")) return send(res, 404, { error: `no such upload route: ${url.pathname}` });
        if (id === undefined) {
          if (req.method === "GET") return send(res, 200, o.uploads.list());
          if (req.method !== "POST") return send(res, 405, { error: "POST to create an upload, GET to list them" });
          const parsed = uploadRequestSchema.safeParse(JSON.parse((await readBody(req, 16 * 1024)).toString("utf8") || "null"));
          if (!parsed.success) return send(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") });
          const status = o.uploads.create(parsed.data, caller.principal);
          o.audit?.done(caller, "upload", [status.name, status.kind, status.target, String(status.size)], "ok", `upload ${status.id}`);
          return send(res, 201, status);
        }
        if (sub === "rejects") {
          if (req.method !== "GET") return send(res, 405, { error: "GET the refused rows" });
          const path = o.uploads.rejectsPath(id);
          res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="rejects-${id}.csv"` });
          createReadStream(path).pipe(res);
          return;
        }
        if (req.method === "GET") return send(res, 200, o.uploads.status(id));
        if (req.method !== "PUT") return send(res, 405, { error: "PUT a chunk at ?offset=<bytes received>, or GET the status" });
        const offset = Number(url.searchParams.get("offset"));
        if (!Number.isSafeInteger(offset) || offset < 0) return send(res, 400, { error: "?offset=<bytes received> is required" });
        return send(res, 200, await o.uploads.append(id, offset, req));
      } catch (err) {
        if (err instanceof UploadNotFound) return send(res, 404, { error: err.message });
        if (err instanceof UploadOffsetMismatch) return send(res, 409, { error: err.message, received: err.received });
        if (err instanceof UploadChunkTooLarge || err instanceof BodyTooLarge) return send(res, 413, { error: err.message });
        if (err instanceof UploadRefused) return send(res, 409, { error: err.message });
        if (err instanceof MalformedBody || err instanceof SyntaxError) return send(res, 400, { error: `the body is not JSON: ${err.message}` });
        throw err;
      }
    },
  };
}

/** Upload actions into the control plane's audit trail (when its services run on this server). */
export function uploadAudit(nc: NatsConnection): UploadAudit {
  return {
    done(caller, command, args, result, detail) {
      controlServicesFor(nc)?.auditForwarded({ caller: controlServicesFor(nc)!.webId, onBehalfOf: caller.principal, command, args, result, ...(detail ? { detail } : {}) });
    },
    refused(remoteAddress, command, detail) {
      controlServicesFor(nc)?.auditRefusal({ caller: `web@${remoteAddress ?? "unknown"}`, command, args: [], detail });
    },
  };
}

/** The audit line of a finished upload. */
export function finishedDetail(s: UploadStatus): string {
  if (s.phase === "failed") return `upload ${s.id}: ${s.error ?? "failed"}`;
  const r = s.result!;
  return `upload ${s.id}: rows ${r.rows}, accepted ${r.accepted}, duplicates ${r.duplicates}, invalid ${r.invalid}`;
}
