/** The lake CLI's settings: LAKE_URI and the S3 connection, read from the environment it is given. */

/** Where the lake lives when nothing says otherwise (the lake CLI, `openStorage()`). */
export const DEFAULT_LAKE_URI = "./data/lake";

/** What `Lake.open(uri, s3)` takes (src/lake's LakeConfig has this shape). */
export interface LakeCliSettings {
  uri: string;
  s3: {
    endpoint: string | undefined;
    region: string;
    forcePathStyle: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  };
}

/**
 * The lake CLI's settings (`npm run lake`) from an environment map (the caller passes process.env, so
 * this stays pure):
 * LAKE_URI, S3_ENDPOINT, S3_REGION (default us-east-1), S3_FORCE_PATH_STYLE
 * (true/false; default true when an endpoint is set), S3_ACCESS_KEY_ID and
 * S3_SECRET_ACCESS_KEY (else the AWS SDK's default credential chain).
 */
export function lakeCliSettings(env: Record<string, string | undefined>, uriOverride?: string): LakeCliSettings {
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
