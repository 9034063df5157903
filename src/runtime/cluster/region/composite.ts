import type { PartitionHost, PartitionStopReason } from "../types.js";

export class PartitionStartFailed extends Error {
  readonly retryable = true;
  constructor(partition: number, options?: ErrorOptions) {
    super(`partition ${partition} could not start on every region`, options);
    this.name = "PartitionStartFailed";
  }
}

export class PartitionStopFailed extends Error {
  readonly retryable = false;
  constructor(partition: number, errors: unknown[]) {
    super(`partition ${partition} did not stop cleanly on ${errors.length} region(s)`, { cause: new AggregateError(errors) });
    this.name = "PartitionStopFailed";
  }
}

/**
 * Several regions on one node share the partition leases: start fans out to all of them (a
 * failure stops the ones already started, so the lease is never held half-started), stop waits
 * for every region to drain, even when one of them fails.
 */
export class CompositePartitionHost implements PartitionHost {
  readonly #hosts: readonly PartitionHost[];

  constructor(hosts: readonly PartitionHost[]) {
    this.#hosts = [...hosts];
  }

  async startPartition(partition: number): Promise<void> {
    const started: PartitionHost[] = [];
    try {
      for (const host of this.#hosts) {
        await host.startPartition(partition);
        started.push(host);
      }
    } catch (err) {
      await Promise.allSettled(started.map((host) => host.stopPartition(partition, "handoff")));
      throw new PartitionStartFailed(partition, { cause: err });
    }
  }

  async stopPartition(partition: number, reason: PartitionStopReason): Promise<void> {
    const results = await Promise.allSettled(this.#hosts.map((host) => host.stopPartition(partition, reason)));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (errors.length > 0) throw new PartitionStopFailed(partition, errors);
  }
}
