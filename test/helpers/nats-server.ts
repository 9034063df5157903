import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tcpConnect } from "node:net";
import { freePort } from "./ports.js";
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

function launch(spec: ServerSpec): ChildProcess {
  const monitor = spec.monitorPort === undefined ? [] : ["-m", String(spec.monitorPort)];
  const args = ["-a", "127.0.0.1", "-p", String(spec.port), ...monitor, "-js", "-sd", spec.storeDir, ...spec.extraArgs];
  const child = spawn(NATS_SERVER, args, { stdio: ["ignore", "ignore", "pipe"], env: spec.env ?? process.env });
  child.stderr?.resume();
  return child;
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
      await waitFor(() => portOpen(spec.port), { timeoutMs: 15_000, what: `nats-server on ${spec.port}` });
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
  const storeDir = mkdtempSync(join(tmpdir(), "nats-test-"));
  const port = await freePort();
  const monitorPort = options.monitor ? await freePort() : undefined;
  const handle = handleFor({ port, storeDir, extraArgs: options.extraArgs ?? [], env: options.env, monitorPort }, () => rmSync(storeDir, { recursive: true, force: true }));
  try {
    await waitFor(() => portOpen(port), { timeoutMs: 15_000, what: `nats-server on ${port}` });
    if (monitorPort !== undefined) await waitFor(() => portOpen(monitorPort), { timeoutMs: 15_000, what: `nats-server monitoring on ${monitorPort}` });
  } catch (err) {
    await handle[Symbol.asyncDispose]();
    throw err;
  }
  return handle;
}

export interface NatsClusterHandle extends AsyncDisposable {
  readonly servers: NatsServerHandle[];
  /** Comma-separated client URLs of every server. */
  readonly urls: string;
}

/** Starts a 3-server JetStream cluster on loopback, for failover and replication tests; `monitor` as for one server. */
export async function startNatsCluster(size = 3, options: { monitor?: boolean } = {}): Promise<NatsClusterHandle> {
  const root = mkdtempSync(join(tmpdir(), "nats-cluster-"));
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  const monitorPorts: (number | undefined)[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
    monitorPorts.push(options.monitor ? await freePort() : undefined);
  }
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
    for (const s of servers) await waitFor(() => portOpen(s.port), { timeoutMs: 15_000, what: `nats-server on ${s.port}` });
    await waitForJetStreamLeader(servers.map((s) => s.url));
  } catch (err) {
    // Never leave half a cluster running (it would keep the test process alive).
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    rmSync(root, { recursive: true, force: true });
    throw err;
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
