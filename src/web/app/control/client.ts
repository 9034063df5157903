/**
 * Control-plane calls. Mutations carry the admin token (kept for this browser tab only, in
 * sessionStorage) in the `x-admin-token` header; with no ADMIN_TOKENS configured the server
 * accepts requests from this machine without one. Queries and the live log go through the
 * dashboard's shared client.
 */
import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "../../server/router.js";
import type { Outputs } from "../trpc.js";

const KEY = "tickhouse.adminToken";

export function adminToken(): string {
  return sessionStorage.getItem(KEY) ?? "";
}

export function setAdminToken(token: string): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

/** Every call reads the token at send time, so a newly typed token applies at once. */
export const adminClient = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: "/trpc",
      headers: () => {
        const t = adminToken();
        return t ? { "x-admin-token": t } : {};
      },
    }),
  ],
});

export type ControlOutputs = Outputs["control"];
export type AdminReplyView = ControlOutputs["run"]["replies"][number];
export type LogLine = ControlOutputs["logs"]["entries"][number];
export type QualityReportView = ControlOutputs["qualityReports"][number];
export type AuditView = ControlOutputs["audit"]["entries"][number];
export type StreamsView = ControlOutputs["streams"];
export type DeadLetterView = ControlOutputs["deadLetters"][number];
