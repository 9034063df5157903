/**
 * The admin CLI's settings (`npm run admin`): its flags over ADMIN_TOKEN and DATA_DIR. The token
 * file fallback (DATA_DIR/admin.token) is the CLI's own, read after this when no token is given.
 */
import { OPTIONS } from "./options.js";
import { ConfigError } from "./parse.js";

export interface AdminCliSettings {
  json: boolean;
  /** --token, else ADMIN_TOKEN. */
  token: string | undefined;
  nodeId: string | undefined;
  /** --nats-url; undefined: NATS_URL and the node's connection options (src/cli/nats.ts). */
  natsUrl: string | undefined;
  /** --data-dir, else DATA_DIR, else ./data. */
  dataDir: string;
  command: string;
  args: string[];
  /** --timeout in ms; undefined: the CLI picks by command (3 s, or 10 min for slow commands). */
  timeoutMs: number | undefined;
}

export const ADMIN_CLI_USAGE =
  "usage: npm run admin -- [--json] [--token T] [--node ID] [--timeout SECONDS] [--nats-url URL] [--data-dir DIR] <command> [args...]\n" +
  "commands: status, ingest-status [SYM...], subscribe, unsubscribe, pause, resume, transform, lake-optimize, lake-vacuum, train, rollback, ml-status [SYM...], quality, verify [--since 2h] (what a node answers depends on its roles)";

/** Parses the command line; throws ConfigError with the usage for a missing command, `--help` or a bad flag value. */
export function adminCliSettings(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AdminCliSettings {
  const out: AdminCliSettings = {
    json: false,
    token: env.ADMIN_TOKEN,
    nodeId: undefined,
    natsUrl: undefined,
    dataDir: env[OPTIONS.dataDir.env] || OPTIONS.dataDir.default,
    command: "",
    args: [],
    timeoutMs: undefined,
  };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${a} needs a value\n${ADMIN_CLI_USAGE}`);
      return v;
    };
    if (a === "--json") out.json = true;
    else if (a === "--token") out.token = value();
    else if (a === "--node") out.nodeId = value();
    else if (a === "--nats-url") out.natsUrl = value();
    else if (a === "--data-dir") out.dataDir = value();
    else if (a === "--timeout") {
      const seconds = Number(value());
      if (!(seconds > 0)) throw new ConfigError(`--timeout takes a positive number of seconds\n${ADMIN_CLI_USAGE}`);
      out.timeoutMs = seconds * 1000;
    } else if (a === "--help" || a === "-h") throw new ConfigError(ADMIN_CLI_USAGE);
    else rest.push(a);
  }
  if (rest.length === 0) throw new ConfigError(ADMIN_CLI_USAGE);
  out.command = rest[0]!;
  out.args = rest.slice(1);
  return out;
}
