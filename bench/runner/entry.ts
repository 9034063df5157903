import { pathToFileURL } from "node:url";

/**
 * Runs `main` when the module at `moduleUrl` is the process's entry (`npx tsx bench/<name>.ts`),
 * then ends the process whatever handles are still open: 0 when it resolved, 1 (the error
 * printed) when it threw.
 */
export function exitAfterIfEntry(moduleUrl: string, main: () => Promise<void>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? "").href) return;
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
