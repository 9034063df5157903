/**
 * The shutdown account of a sharded region with durable input: the partitions it ran when shutdown
 * began are counted in JetStream before NATS closes; those still here at the end did not stop
 * (stalled), and what they hold unacknowledged is known locally even when NATS cannot be asked.
 */
import type { RegionStats } from "../runtime/cluster/region/region.js";
import type { OwnershipView } from "../runtime/cluster/types.js";
import { durableKey, type AccountPeriod, type LogDurable } from "./shutdown-ledger.js";

export function regionAccount(options: { region: string; stream: string; ownership: OwnershipView; stats: () => RegionStats | undefined }): () => AccountPeriod {
  // ShardRegion names each partition's durable `<region>-p<partition>`.
  const durable = (partition: number): LogDurable => ({ stream: options.stream, durable: `${options.region}-p${partition}` });
  return () => ({
    durables: [...options.ownership.ownedPartitions()].map(durable),
    figures: () => ({
      leftInLog: Object.fromEntries(
        (options.stats()?.partitions ?? []).flatMap((p) => (p.consumer ? [[durableKey(durable(p.partition)), { unacked: p.consumer.pending, localOnly: true }]] : [])),
      ),
    }),
  });
}
