/**
 * HTTP on the simulator's port: Binance's REST trade endpoints (rest-api.ts), and hooks for a
 * simulator running in another process:
 * GET /sim/stats, POST /sim/control?action=shutdown|drop|silent|gap&count=N[&stream=s]|inject (body = frame).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleRestRequest, type RestBackend } from "./rest-api.js";

/** What the hooks drive: the MarketSimulator (server.ts). */
export interface ControlledSimulator {
  readonly rest: RestBackend;
  /** Plain JSON figures for GET /sim/stats. */
  stats(): unknown;
  serverShutdown(): void;
  dropConnections(): void;
  goSilent(): void;
  forceGap(count: number, stream: string | null): void;
  injectFrame(text: string): void;
}

export function handleControlRequest(sim: ControlledSimulator, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://sim.invalid");
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (handleRestRequest(sim.rest, url, req, res)) return;
  if (url.pathname === "/sim/stats") return reply(200, sim.stats());
  if (url.pathname !== "/sim/control" || req.method !== "POST") return reply(404, { error: "not found" });
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    const action = url.searchParams.get("action");
    switch (action) {
      case "shutdown":
        sim.serverShutdown();
        break;
      case "drop":
        sim.dropConnections();
        break;
      case "silent":
        sim.goSilent();
        break;
      case "gap":
        sim.forceGap(Number(url.searchParams.get("count") ?? "1"), url.searchParams.get("stream"));
        break;
      case "inject":
        sim.injectFrame(body);
        break;
      default:
        return reply(400, { error: `unknown action ${action}` });
    }
    reply(200, { ok: true, action });
  });
}
