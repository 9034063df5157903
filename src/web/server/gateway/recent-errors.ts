/**
 * The last errors the gateway answered, per source, for the Connections page. Kept in memory on
 * this web node only (there is no other store of them): at most `perSource` errors for each of
 * the `maxSources` sources seen most recently, so a flood of bad requests or of invented source
 * names cannot grow it.
 */
export interface GatewayError {
  at: number;
  status: number;
  error: string;
  message: string;
  /** The runtime key id or `INGEST_API_KEYS #n`, when the key was known. */
  keyId: string | null;
}

export class RecentErrors {
  readonly #bySource = new Map<string, GatewayError[]>();

  constructor(
    readonly perSource = 20,
    readonly maxSources = 200,
  ) {}

  add(source: string, error: GatewayError): void {
    const list = this.#bySource.get(source) ?? [];
    // Re-inserted: the Map's order is then least recently seen first.
    this.#bySource.delete(source);
    list.push(error);
    if (list.length > this.perSource) list.shift();
    this.#bySource.set(source, list);
    if (this.#bySource.size > this.maxSources) this.#bySource.delete(this.#bySource.keys().next().value!);
  }

  /** Newest first. */
  of(source: string): GatewayError[] {
    return [...(this.#bySource.get(source) ?? [])].reverse();
  }

  sources(): string[] {
    return [...this.#bySource.keys()];
  }
}
