/**
 * Control-plane calls. Mutations carry no token: the admin token typed once became a
 * server-side session (see ../session.ts), which the server signs commands with; with no
 * ADMIN_TOKENS configured the server accepts requests from this machine without one. Queries
 * and the live log go through the dashboard's shared client.
 */
import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "../../server/router.js";
import type { Outputs } from "../trpc.js";

/** Unbatched, so one slow command does not hold back the page's other calls. */
export const adminClient = createTRPCClient<AppRouter>({ links: [httpLink({ url: "/trpc" })] });

export type ControlOutputs = Outputs["control"];
export type AdminReplyView = ControlOutputs["run"]["replies"][number];
export type LogLine = ControlOutputs["logs"]["entries"][number];
export type QualityReportView = ControlOutputs["qualityReports"][number];
export type AuditView = ControlOutputs["audit"]["entries"][number];
export type StreamsView = ControlOutputs["streams"];
export type DeadLetterView = ControlOutputs["deadLetters"][number];
