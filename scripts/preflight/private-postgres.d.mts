// Types of private-postgres.mjs (plain JavaScript so that `npm test` can use it before node_modules exists).

export interface PrivatePostgres extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** The temp directory holding the cluster and its socket; removed on dispose. */
  readonly dataRoot: string;
  /** Immediate shutdown (like a crash): connections drop, committed data survives. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export function findPostgresBinDir(env?: NodeJS.ProcessEnv): string | undefined;
/** `port`: try this port first (default: a free one); a port another process holds is replaced by a free one, twice at most. */
export function startPrivatePostgres(options?: { binDir?: string | undefined; readyTimeoutMs?: number; port?: number }): Promise<PrivatePostgres>;
