/**
 * The layer order of src/, checked by `npm run layers` (part of `npm test`): a folder may import
 * only folders in a lower layer (and itself). Folders in one layer do not import each other.
 * Import cycles are refused everywhere, type-only imports included.
 */
const LAYERS = [
  ["runtime"], // actor runtime, cluster, NATS spec; logging and node status contracts
  ["config"], // every setting, parsed once
  ["market"], // pure market logic: parsing, windows, bars, features, candles
  ["contracts"], // the records between stages: one schema, one type, the column lists
  ["ingest", "lake", "db", "ml"], // exchange feeds into the log, storage (Parquet + Delta), PostgreSQL, learners
  ["simulator"], // a Binance-compatible market (uses ingest's rate limiter)
  ["verify"], // read-only checks of the lake against the log
  ["admin"], // the admin protocol
  ["custom", "quality", "control", "mlops"], // services of the roles (quality may use custom)
  ["actors"], // every actor: state, messages, pure transition, the shell that drives the services
  ["imports"], // files into the platform: the one pipeline of `npm run import` and the browser upload
  ["web"], // HTTP server, tRPC, dashboard
  ["node"], // the only assembler: roles → components
  ["cli", "main.ts"], // entry points
];
/** Imports between folders of one layer that are allowed, as "from→to". */
const PEER_IMPORTS = new Set(["quality→custom"]);

const folder = (name) => (name.endsWith(".ts") ? `^src/${name.replace(".", "\\.")}$` : `^src/${name}/`);
const upward = LAYERS.flatMap((layer, rank) =>
  layer.map((name) => {
    const forbidden = LAYERS.slice(rank).flat().filter((other) => other !== name && !PEER_IMPORTS.has(`${name}→${other}`));
    return {
      name: `layer-${name}`,
      comment: `src/${name} may import only folders below it: ${LAYERS.slice(0, rank).flat().join(", ") || "none"}`,
      severity: "error",
      from: { path: folder(name) },
      to: { path: forbidden.map(folder) },
    };
  }),
);

module.exports = {
  forbidden: [{ name: "no-cycles", severity: "error", from: { path: "^src/" }, to: { circular: true } }, ...upward],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
