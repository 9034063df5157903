import { LakeTableNotFound } from "./errors.js";
import { openStorage, subStorage, type S3Connection } from "./storage/open.js";
import type { Storage } from "./storage/types.js";
import { DeltaTable, type TableDefinition } from "./table/table.js";
import type { DeltaLogOptions } from "./delta/log.js";

/** Table names become folder names: keep them boring. */
const TABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A lake root holding one Delta table per folder (`<root>/<table>/_delta_log/...`). */
export class Lake {
  readonly storage: Storage;
  readonly options: DeltaLogOptions;
  /**
   * One DeltaTable per name, so its log's snapshot cache is shared: a reader that asks for the same
   * table again (the ML watcher: every symbol, every hunt) replays only the commits since its last
   * read instead of the whole log since the last checkpoint (issue 11: at 1,000 symbols that replay
   * was a fifth of the node's CPU and grew the heap to its limit).
   */
  readonly #tables = new Map<string, DeltaTable>();

  constructor(storage: Storage, options: DeltaLogOptions = {}) {
    this.storage = storage;
    this.options = options;
  }

  static open(uri?: string, s3?: S3Connection, options?: DeltaLogOptions): Lake {
    return new Lake(openStorage(uri, s3), options);
  }

  tableStorage(name: string): Storage {
    if (!TABLE_NAME.test(name)) throw new RangeError(`table name "${name}" must match ${TABLE_NAME}`);
    return subStorage(this.storage, name);
  }

  /** An existing table (throws LakeTableNotFound on first read when it does not exist). */
  table(name: string): DeltaTable {
    let table = this.#tables.get(name);
    if (table === undefined) {
      table = new DeltaTable(this.tableStorage(name), this.options);
      this.#tables.set(name, table);
    }
    return table;
  }

  async ensureTable(def: TableDefinition): Promise<DeltaTable> {
    return DeltaTable.createIfAbsent(this.tableStorage(def.name), def, this.options);
  }

  /** Names of the folders that hold a Delta log. */
  async tables(): Promise<string[]> {
    const names = new Set<string>();
    for (const o of await this.storage.list("")) {
      const i = o.key.indexOf("/_delta_log/");
      if (i > 0 && !o.key.slice(0, i).includes("/")) names.add(o.key.slice(0, i));
    }
    return [...names].sort();
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.table(name).snapshot();
      return true;
    } catch (err) {
      if (err instanceof LakeTableNotFound) return false;
      throw err;
    }
  }
}
