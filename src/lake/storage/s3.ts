import {
  S3Client,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  DeleteObjectCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { LakeStorageError } from "../errors.js";
import { joinKey, type ObjectInfo, type Storage } from "./types.js";

export interface S3StorageOptions {
  bucket: string;
  /** Key prefix inside the bucket ("" for the bucket root). */
  prefix?: string;
  /** e.g. http://127.0.0.1:9000 for MinIO; omit for AWS. */
  endpoint?: string;
  region?: string;
  /** MinIO and most self-hosted servers need path-style URLs. */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per-request timeout; a dead endpoint must fail fast so the writer can back off. */
  requestTimeoutMs?: number;
}

function status(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}

/** An S3 bucket (or S3-compatible server). Create-if-absent uses `If-None-Match: *` (412 when taken). */
export class S3Storage implements Storage {
  readonly uri: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3StorageOptions) {
    this.#bucket = options.bucket;
    this.#prefix = joinKey(options.prefix ?? "");
    this.uri = `s3://${options.bucket}/${this.#prefix}`;
    this.#client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? "us-east-1",
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      credentials: options.credentials,
      // Only send checksums where S3 demands them: keeps us compatible with MinIO and older servers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 2,
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: 5_000 },
    });
  }

  #key(key: string): string {
    return this.#prefix ? `${this.#prefix}/${key}` : key;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw new LakeStorageError(`s3 get ${key} failed`, { cause: err });
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const res = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw new LakeStorageError(`s3 head ${key} failed`, { cause: err });
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(key), Body: bytes }));
    } catch (err) {
      throw new LakeStorageError(`s3 put ${key} failed`, { cause: err });
    }
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(key), Body: bytes, IfNoneMatch: "*" }),
      );
      return true;
    } catch (err) {
      // 412: the key exists. 409: a concurrent conditional write on the same key is in flight (AWS).
      const code = status(err);
      if (code === 412 || code === 409) return false;
      throw new LakeStorageError(`s3 conditional put ${key} failed`, { cause: err });
    }
  }

  async list(prefix: string, startAfter?: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const strip = this.#prefix ? this.#prefix.length + 1 : 0;
    let token: string | undefined;
    try {
      do {
        const res = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#key(prefix),
            ContinuationToken: token,
            StartAfter: token === undefined && startAfter !== undefined ? this.#key(startAfter) : undefined,
          }),
        );
        for (const o of res.Contents ?? []) {
          if (!o.Key) continue;
          out.push({ key: o.Key.slice(strip), size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw new LakeStorageError(`s3 list ${prefix} failed`, { cause: err });
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
    } catch (err) {
      if (status(err) === 404) return;
      throw new LakeStorageError(`s3 delete ${key} failed`, { cause: err });
    }
  }

  destroy(): void {
    this.#client.destroy();
  }
}
