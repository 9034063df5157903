/**
 * Model artifacts in the lake: `models/<SYMBOL>/v<N>/model.json` (Model.toJSON() with its
 * registry version) and `metadata.json` beside it (run, metrics, data range). Versions are
 * immutable: written with create-if-absent, and a version's model is cached once loaded.
 */
import { loadModel, type Model, type ModelJson } from "../ml/index.js";
import type { Storage } from "../lake/index.js";
import { ArtifactConflict, ArtifactNotFound, InvalidChampionRecord } from "./errors.js";
import { artifactKey, metadataKey, parseModelVersion } from "./pointer.js";

export interface ArtifactMetadata {
  version: string;
  symbol: string;
  runId: string;
  kind: string;
  horizon: number;
  featureNames: readonly string[];
  metrics: Record<string, number>;
  params: Record<string, number | boolean | string>;
  /** Held-out window the metrics were measured on (epoch ms). */
  window: { from: number; to: number; rows: number };
  trainRows: number;
  createdAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ArtifactStore {
  /** The last loaded model per symbol (by version): bounded by the symbols, not by every version ever promoted. */
  readonly #models = new Map<string, Model>();

  constructor(readonly storage: Storage) {}

  /** Writes the model and its metadata; returns the model's key. Rewriting identical bytes is a no-op. */
  async write(version: string, model: ModelJson, metadata: ArtifactMetadata): Promise<string> {
    const key = artifactKey(version);
    await this.#putOnce(key, encoder.encode(JSON.stringify({ ...model, version })));
    await this.storage.put(metadataKey(version), encoder.encode(JSON.stringify(metadata, null, 2)));
    return key;
  }

  async readJson(key: string): Promise<ModelJson> {
    const bytes = await this.storage.get(key);
    if (bytes === undefined) throw new ArtifactNotFound(`model artifact ${key} is not in the lake (${this.storage.uri})`);
    try {
      return JSON.parse(decoder.decode(bytes)) as ModelJson;
    } catch (err) {
      throw new InvalidChampionRecord(`model artifact ${key} is not JSON`, { cause: err });
    }
  }

  async metadata(version: string): Promise<ArtifactMetadata | null> {
    const bytes = await this.storage.get(metadataKey(version));
    return bytes === undefined ? null : (JSON.parse(decoder.decode(bytes)) as ArtifactMetadata);
  }

  /** The model a version names (cached while it is its symbol's last loaded version: versions never change). */
  async load(version: string, key = artifactKey(version)): Promise<Model> {
    const symbol = parseModelVersion(version).symbol;
    const cached = this.#models.get(symbol);
    if (cached?.version === version) return cached;
    const model = loadModel(await this.readJson(key));
    model.version = version;
    this.#models.set(symbol, model);
    return model;
  }

  async #putOnce(key: string, bytes: Uint8Array): Promise<void> {
    if (await this.storage.putIfAbsent(key, bytes)) return;
    const existing = await this.storage.get(key);
    if (existing === undefined || Buffer.compare(Buffer.from(existing), Buffer.from(bytes)) !== 0) {
      throw new ArtifactConflict(`${key} already holds a different model; versions are immutable`);
    }
  }
}
