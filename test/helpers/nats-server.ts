import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tcpConnect } from "node:net";
import { freePorts } from "./ports.js";
import { waitFor } from "./wait.js";
import { connect } from "@nats-io/transport-node";

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

/** A real nats-server with JetStream, on a free loopback port, in its own temp storage dir. */
export interface NatsServerHandle extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** The HTTP monitoring endpoint (`/varz`, `/jsz`), when started with `monitor: true`. */
  readonly monitorUrl?: string;
  readonly process: ChildProcess;
  /** SIGKILL now (an outage); `restart()` brings it back on the same port and storage. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** True when a NATS server answers on `port` (it greets every client with `INFO {...}`). */
function answersNats(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: "127.0.0.1" });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("data", (data) => done(data.subarray(0, 5).toString() === "INFO "));
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

interface ServerSpec {
  port: number;
  storeDir: string;
  extraArgs: string[];
  /** HTTP monitoring port (nats-server `-m`), if any. */
  monitorPort?: number | undefined;
  /** Environment of the server process (a config file may read variables). Default: this process's. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** What a server printed last (nats-server logs to stderr), to say why it did not start. */
const stderrTails = new WeakMap<ChildProcess, string>();
const STDERR_TAIL_CHARS = 4096;

function launch(spec: ServerSpec): ChildProcess {
  const monitor = spec.monitorPort === undefined ? [] : ["-m", String(spec.monitorPort)];
  const args = ["-a", "127.0.0.1", "-p", String(spec.port), ...monitor, "-js", "-sd", spec.storeDir, ...spec.extraArgs];
  const child = spawn(NATS_SERVER, args, { stdio: ["ignore", "ignore", "pipe"], env: spec.env ?? process.env });
  stderrTails.set(child, "");
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => stderrTails.set(child, (stderrTails.get(child)! + chunk).slice(-STDERR_TAIL_CHARS)));
  return child;
}

/** A server that exited before it listened; `portTaken` when another process bound one of its ports first. */
class ServerExitedError extends Error {
  readonly portTaken: boolean;
  constructor(port: number, log: string) {
    super(`nats-server on ${port} exited before it listened:\n${log.trim()}`);
    this.portTaken = log.includes("address already in use");
  }
}

/**
 * Waits until the server answers on `port` (NATS' greeting; `http` for the monitoring port: accepts
 * connections); fails at once, with the server's log, if the server exits.
 */
async function waitListening(child: () => ChildProcess, port: number, protocol: "nats" | "http" = "nats"): Promise<void> {
  const outcome = await waitFor<{ exited: ChildProcess | null } | undefined>(
    async () => {
      const current = child();
      if (current.exitCode !== null || current.signalCode !== null) return { exited: current };
      return (await (protocol === "nats" ? answersNats(port) : portOpen(port))) ? { exited: null } : undefined;
    },
    { timeoutMs: 15_000, what: protocol === "nats" ? `nats-server on ${port}` : `nats-server monitoring on ${port}` },
  );
  if (outcome.exited !== null) throw new ServerExitedError(port, stderrTails.get(outcome.exited) ?? "");
}

/**
 * Starts servers on fresh free ports, again (at most 3 tries) when another process took one of
 * the ports between asking the OS and the server's bind: tests run two files at a time.
 */
async function withFreshPorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!(err instanceof ServerExitedError && err.portTaken) || attempt === 3) throw err;
    }
  }
}

function handleFor(spec: ServerSpec, onDispose: () => void): NatsServerHandle {
  let child = launch(spec);
  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${spec.port}`,
    port: spec.port,
    ...(spec.monitorPort === undefined ? {} : { monitorUrl: `http://127.0.0.1:${spec.monitorPort}` }),
    get process() {
      return child;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) await handle.kill();
      child = launch(spec);
      await waitListening(() => child, spec.port);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
    },
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await exited(child);
      onDispose();
    },
  };
  return handle;
}

/**
 * Starts one private nats-server (JetStream on); `extraArgs` e.g. `["--user", "u", "--pass", "p"]`
 * or `["-c", file]`, `env` for the variables such a file reads; `monitor` serves its HTTP
 * monitoring endpoint on another free port (`monitorUrl`).
 */
export async function startNatsServer(options: { extraArgs?: string[]; env?: NodeJS.ProcessEnv; monitor?: boolean } = {}): Promise<NatsServerHandle> {
  return withFreshPorts(async () => {
    const storeDir = mkdtempSync(join(tmpdir(), "nats-test-"));
    const [port, monitorPort] = await freePorts(options.monitor ? 2 : 1);
    const handle = handleFor({ port: port!, storeDir, extraArgs: options.extraArgs ?? [], env: options.env, monitorPort }, () => rmSync(storeDir, { recursive: true, force: true }));
    try {
      await waitListening(() => handle.process, port!);
      if (monitorPort !== undefined) await waitListening(() => handle.process, monitorPort, "http");
    } catch (err) {
      await handle[Symbol.asyncDispose]();
      throw err;
    }
    return handle;
  });
}

export interface NatsClusterHandle extends AsyncDisposable {
  readonly servers: NatsServerHandle[];
  /** Comma-separated client URLs of every server. */
  readonly urls: string;
}

/** Starts a 3-server JetStream cluster on loopback, for failover and replication tests; `monitor` as for one server. */
export function startNatsCluster(size = 3, options: { monitor?: boolean } = {}): Promise<NatsClusterHandle> {
  return withFreshPorts(() => startCluster(size, options));
}

async function startCluster(size: number, options: { monitor?: boolean }): Promise<NatsClusterHandle> {
  const root = mkdtempSync(join(tmpdir(), "nats-cluster-"));
  const ports = await freePorts(size * (options.monitor ? 3 : 2));
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size, 2 * size);
  const monitorPorts = options.monitor ? ports.slice(2 * size) : clientPorts.map(() => undefined);
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(",");
  const servers = clientPorts.map((port, i) =>
    handleFor(
      {
        port,
        storeDir: join(root, `n${i}`),
        extraArgs: ["--name", `n${i}`, "--cluster_name", "test", "--cluster", `nats://127.0.0.1:${routePorts[i]}`, "--routes", routes],
        monitorPort: monitorPorts[i],
      },
      () => {},
    ),
  );
  try {
    for (const s of servers) await waitListening(() => s.process, s.port);
    await waitForJetStreamLeader(servers.map((s) => s.url));
  } catch (err) {
    // A server that lost its route port exits after its client port opened: say so, to try again.
    const exited = servers.find((s) => s.process.exitCode !== null || s.process.signalCode !== null);
    // Never leave half a cluster running (it would keep the test process alive).
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    rmSync(root, { recursive: true, force: true });
    throw exited === undefined || err instanceof ServerExitedError ? err : new ServerExitedError(exited.port, stderrTails.get(exited.process) ?? "");
  }
  return {
    servers,
    urls: servers.map((s) => s.url).join(","),
    async [Symbol.asyncDispose]() {
      await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A clustered JetStream answers its API only once a meta leader is elected. */
export async function waitForJetStreamLeader(urls: string[], timeoutMs = 30_000): Promise<void> {
  const nc = await connect({ servers: urls });
  try {
    await waitFor(
      async () => {
        const reply = await nc.request("$JS.API.INFO", undefined, { timeout: 1000 });
        const info = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: unknown };
        return info.error === undefined;
      },
      { timeoutMs, intervalMs: 200, what: "JetStream meta leader" },
    );
  } finally {
    await nc.close();
  }
}
