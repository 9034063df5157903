/** Public surface of sharded entity regions and durable partition input (see SHARDING.md). */
export { ShardRegion, type RegionStats } from "./region/region.js";
export { CompositePartitionHost, PartitionStartFailed, PartitionStopFailed } from "./region/composite.js";
export type { ShardRegionOptions, DurableInputOptions, RegionActorSystem } from "./region/options.js";
export { jsonCodec, type Codec } from "./region/codec.js";
export {
  RegionClosed,
  RegionAskTimeout,
  RegionAskOutcomeUnknown,
  RegionAskFailed,
  RegionDeliveryFailed,
  InvalidRegionOptions,
} from "./region/errors.js";
export { LogInput, isLogInput, DuplicateDelivery, type EntityInput, type EntityFactory } from "./region/entity.js";
export { isSnapshotting, snapshotKey, SnapshotStoreFailed, type SnapshottingEntity, type StoredSnapshot } from "./snapshots/snapshot-store.js";
export { PartitionConsumerFailed } from "./consumer/partition-consumer.js";
