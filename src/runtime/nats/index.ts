export { connectNats, parseServers, describeCredentials, type ConnectNatsOptions } from "./connect.js";
export { hasCredentials, redactUrlCredentials, splitUrlCredentials, NatsCredentialsInvalid, type NatsCredentials } from "./credentials.js";
export { bootstrap, waitForStreamLeader, ensureStream, ensureBucket, bucketStreamName, diffStreamConfig, type BootstrapResult, type BootstrapAction, type BootstrapOptions } from "./bootstrap.js";
export { clusterSize, clusterSizeFromInfo, replicasFor, isTooFewPeers, casBucketReplicas, replicatedCasIsSafe, parseVersion } from "./cluster-size.js";
export { platformLogSpec, defaultLogConfig, STREAMS, BUCKETS, tradeSubject, silverSubject, candleSubject, tickSubject, dlqSubject, dlqReasonOf, eventSubject, type LogConfig, type LogSpec, type StreamSpec, type BucketSpec } from "./spec.js";
export { IncompatibleStreamConfig, BootstrapFailed, NatsConnectFailed, isCasConflict } from "./errors.js";
