import type { PartitionHost, PartitionStopReason } from "../runtime/cluster/types.js";

/** Fans a partition's start/stop out to every component hosting work in it (stops in reverse order). */
export class PartitionHosts implements PartitionHost {
  readonly #hosts: PartitionHost[] = [];

  add(host: PartitionHost): void {
    this.#hosts.push(host);
  }

  async startPartition(partition: number): Promise<void> {
    for (const host of this.#hosts) await host.startPartition(partition);
  }

  async stopPartition(partition: number, reason: PartitionStopReason): Promise<void> {
    for (const host of [...this.#hosts].reverse()) await host.stopPartition(partition, reason);
  }
}
