import { DEFAULT_LAKE_URI, type S3Connection } from "./storage/open.js";

export interface LakeConfig {
  /** Directory, file:// URL or s3://bucket/prefix. Env LAKE_URI; default ./data/lake. */
  uri: string;
  /** S3 connection, used when `uri` is s3://. */
  s3: S3Connection;
}

/**
 * Lake settings from an environment map (the caller passes process.env, so this stays pure):
 * LAKE_URI, LAKE_S3_ENDPOINT, LAKE_S3_REGION (default us-east-1), LAKE_S3_PATH_STYLE
 * (true/false; default true when an endpoint is set), LAKE_S3_ACCESS_KEY_ID and
 * LAKE_S3_SECRET_ACCESS_KEY (else the AWS SDK's default credential chain).
 */
export function lakeConfigFromEnv(env: Record<string, string | undefined>, uriOverride?: string): LakeConfig {
  const endpoint = env.LAKE_S3_ENDPOINT || undefined;
  const pathStyle = env.LAKE_S3_PATH_STYLE;
  if (pathStyle !== undefined && pathStyle !== "true" && pathStyle !== "false") {
    throw new Error(`LAKE_S3_PATH_STYLE must be "true" or "false" (got "${pathStyle}")`);
  }
  const keyId = env.LAKE_S3_ACCESS_KEY_ID;
  const secret = env.LAKE_S3_SECRET_ACCESS_KEY;
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new Error("LAKE_S3_ACCESS_KEY_ID and LAKE_S3_SECRET_ACCESS_KEY must be set together");
  }
  return {
    uri: uriOverride ?? env.LAKE_URI ?? DEFAULT_LAKE_URI,
    s3: {
      endpoint,
      region: env.LAKE_S3_REGION ?? "us-east-1",
      forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === "true",
      credentials: keyId !== undefined && secret !== undefined ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
    },
  };
}
