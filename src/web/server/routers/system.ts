/**
 * System health: the nodes' status (from the injected provider) plus what this web server
 * measures itself (rates and latency percentiles). `status$` pushes a fresh snapshot every
 * second; it is latest-state, so it carries no resume ids.
 */
import type { NodeStatus } from "../../../runtime/status.js";
import type { WebContext } from "../context.js";
import { Channel } from "../feeds/channel.js";
import type { StatusResult } from "../feeds/status.js";
import type { WebFigures } from "../metrics.js";
import { publicProcedure, router } from "../trpc.js";

export interface SystemSnapshot {
  at: number;
  nodes: NodeStatus[];
  /** The provider's error when the last poll failed (nodes then holds the previous answer). */
  error: string | null;
  web: WebFigures;
}

function snapshot(ctx: WebContext, r: StatusResult, previous: NodeStatus[]): SystemSnapshot {
  return r.ok
    ? { at: r.at, nodes: r.nodes, error: null, web: ctx.metrics.figures() }
    : { at: r.at, nodes: previous, error: r.error, web: ctx.metrics.figures() };
}

export const systemRouter = router({
  status: publicProcedure.query(async ({ ctx }): Promise<SystemSnapshot> => {
    const nodes = await ctx.status.fetch();
    return { at: Date.now(), nodes, error: null, web: ctx.metrics.figures() };
  }),

  status$: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const channel = new Channel<StatusResult>(4, signal);
    const unlisten = ctx.status.listen((r) => channel.push(r));
    ctx.metrics.subscribed("system.status$", 1);
    let previous: NodeStatus[] = [];
    try {
      for await (const r of channel) {
        const s = snapshot(ctx, r, previous);
        previous = s.nodes;
        yield s;
      }
    } finally {
      unlisten();
      channel.close();
      ctx.metrics.subscribed("system.status$", -1);
    }
  }),
});
