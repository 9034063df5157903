import { DEFAULT_LAKE_URI, type S3Connection } from "./storage/open.js";

export interface LakeConfig {
  /** Directory, file:// URL or s3://bucket/prefix. Env LAKE_URI; default ./data/lake. */
  uri: string;
  /** S3 connection, used when `uri` is s3://. */
  s3: S3Connection;
}

/**
 * Lake settings from an environment map (the caller passes process.env, so this stays pure):
 * LAKE_URI, S3_ENDPOINT, S3_REGION (default us-east-1), S3_FORCE_PATH_STYLE
 * (true/false; default true when an endpoint is set), S3_ACCESS_KEY_ID and
 * S3_SECRET_ACCESS_KEY (else the AWS SDK's default credential chain).
 */
export function lakeConfigFromEnv(env: Record<string, string | undefined>, uriOverride?: string): LakeConfig {
  const endpoint = env.S3_ENDPOINT || undefined;
  const pathStyle = env.S3_FORCE_PATH_STYLE;
  if (pathStyle !== undefined && pathStyle !== "true" && pathStyle !== "false") {
    throw new Error(`S3_FORCE_PATH_STYLE must be "true" or "false" (got "${pathStyle}")`);
  }
  const keyId = env.S3_ACCESS_KEY_ID;
  const secret = env.S3_SECRET_ACCESS_KEY;
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new Error("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together");
  }
  return {
    uri: uriOverride ?? env.LAKE_URI ?? DEFAULT_LAKE_URI,
    s3: {
      endpoint,
      region: env.S3_REGION ?? "us-east-1",
      forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === "true",
      credentials: keyId !== undefined && secret !== undefined ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
    },
  };
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
