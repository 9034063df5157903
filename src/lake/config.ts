import type { S3Connection } from "./storage/open.js";

export interface LakeConfig {
  /** Directory, file:// URL or s3://bucket/prefix. Env LAKE_URI; default ./data/lake. */
  uri: string;
  /** S3 connection, used when `uri` is s3://. */
  s3: S3Connection;
}

/** The lake settings of a node's validated configuration (src/config). */
export function lakeConfigFromConfig(config: {
  lakeUri: string;
  s3: { endpoint: string; region: string; forcePathStyle: boolean; accessKeyId: string; secretAccessKey: string };
}): LakeConfig {
  const { s3 } = config;
  return {
    uri: config.lakeUri,
    s3: {
      endpoint: s3.endpoint || undefined,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
    },
  };
}
