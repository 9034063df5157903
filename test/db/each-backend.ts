/** One `describe` per database backend, so a suite states once that it runs on PostgreSQL and on PGlite. */
import { after, describe } from "node:test";
import { migrate } from "../../src/db/index.js";
import { backends, type Backend, type TestDatabase } from "./fixtures.js";

export interface SuiteBackend extends Backend {
  /** A fresh schema with every migration applied; `await using` drops it. */
  openMigrated(): Promise<TestDatabase>;
}

/** `describe(`${subject} on postgres`)` and `… on pglite`, each shutting its backend down after its tests. */
export function onEachBackend(subject: string, suite: (backend: SuiteBackend) => void): void {
  for (const backend of backends()) {
    const withMigrations: SuiteBackend = {
      ...backend,
      async openMigrated() {
        const db = await backend.open();
        try {
          await migrate(db);
        } catch (e) {
          await db[Symbol.asyncDispose]();
          throw e;
        }
        return db;
      },
    };
    describe(`${subject} on ${backend.name}`, () => {
      after(() => backend.shutdown());
      suite(withMigrations);
    });
  }
}
