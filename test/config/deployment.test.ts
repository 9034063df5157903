/**
 * Deployment defaults (issue 12, finding 7): compose has no default secret and refuses to start
 * without one, every node gets the ingest keys, admin tokens and NATS credentials, NATS is not
 * published to the host, images are pinned, the image runs as a non-root user and `.env` stays out
 * of git. The text checks need nothing; the resolved-configuration checks run `docker compose
 * config` (v2) or `docker-compose config` (v1, whose python3-yaml turns its YAML into JSON) and are
 * skipped, saying so, when neither is installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const compose = readFileSync("docker-compose.yaml", "utf8");
const dockerfile = readFileSync("Dockerfile", "utf8");

/** Every secret compose reads from .env, with a value for the resolved-configuration checks. */
const SECRETS: Record<string, string> = {
  POSTGRES_PASSWORD: "pg-secret-1",
  MINIO_ROOT_USER: "tickhouse",
  MINIO_ROOT_PASSWORD: "minio-secret-1",
  ADMIN_TOKENS: "tok_aaaaaaaaaaaaaaaaaaaaaaaa",
  READ_TOKENS: "read_aaaaaaaaaaaaaaaaaaaaaaa",
  INGEST_API_KEYS: "acme:key-acme-123",
  NATS_USER: "tickhouse",
  NATS_PASSWORD: "pnats1",
  NATS_PUBLISHER_USER: "publisher",
  NATS_PUBLISHER_PASSWORD: "ppub1",
  NATS_ADMIN_USER: "admin",
  NATS_ADMIN_PASSWORD: "padmin1",
  GRAFANA_ADMIN_PASSWORD: "grafana-secret-1",
};
/** What every platform node must receive. */
const NODE_VARS = ["INGEST_API_KEYS", "ADMIN_TOKENS", "READ_TOKENS", "NATS_USER", "NATS_PASSWORD", "NATS_CREDS", "NATS_TLS_CA", "NATS_TLS_CERT", "NATS_TLS_KEY"];

/** `${NAME<rest>}` references in the compose text, comments left out. */
function references(text: string): { name: string; rest: string }[] {
  const code = text.split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n");
  return [...code.matchAll(/\$\{([A-Z0-9_]+)([^}]*)\}/g)].map((m) => ({ name: m[1]!, rest: m[2]! }));
}

test("compose: every variable deploy/nats/nats.conf reads is given to the NATS servers (nats-server refuses to start on an unset one)", () => {
  const conf = readFileSync("deploy/nats/nats.conf", "utf8").split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n");
  const wanted = [...new Set([...conf.matchAll(/\$([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!))];
  assert.ok(wanted.length > 0);
  const natsEnv = compose.slice(compose.indexOf("x-nats: &nats"), compose.indexOf("x-node: &node"));
  for (const name of wanted) assert.match(natsEnv, new RegExp(`^\\s+${name}: \\$\\{${name}:\\?`, "m"), `${name} (read by nats.conf) is in the NATS servers' environment, required`);
});

test("compose: every secret is required (${VAR:?message}) and has no default", () => {
  assert.doesNotMatch(compose, /tickhouse-dev/, "no development password left in compose");
  const refs = references(compose);
  for (const name of Object.keys(SECRETS)) {
    const uses = refs.filter((r) => r.name === name);
    assert.ok(uses.length > 0, `${name} is passed somewhere`);
    for (const u of uses) assert.match(u.rest, /^:\?\S/, `\${${name}${u.rest}} must be \${${name}:?<message>}`);
  }
});

test("compose: images are pinned by version and digest; the nodes' image by version", () => {
  const images = [...compose.matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
  assert.ok(images.length >= 5, "images found");
  for (const image of images) {
    if (image.startsWith("tickhouse:")) {
      assert.match(image, /^tickhouse:\d+\.\d+\.\d+$/, "the locally built image has a version tag");
      continue;
    }
    assert.match(image, /^[a-z0-9./-]+:[A-Za-z0-9._-]*\d[A-Za-z0-9._-]*@sha256:[0-9a-f]{64}$/, `${image}: version tag and digest`);
    assert.doesNotMatch(image, /:latest\b/);
  }
});

test("Dockerfile: pinned base images, runs as a non-root user that owns /data", () => {
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  for (const from of froms) assert.match(from, /^node:\d+\.\d+\.\d+[\w.-]*@sha256:[0-9a-f]{64}$/, `FROM ${from}`);
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const users = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
  assert.ok(users.length > 0, "the final stage sets USER");
  assert.ok(!["root", "0", "0:0"].includes(users[users.length - 1]!), `USER ${users[users.length - 1]} is not root`);
  assert.match(finalStage, /chown\s+node(:node)?\s+\/data/, "/data belongs to the node user");
  assert.ok(finalStage.indexOf("USER") > finalStage.indexOf("chown"), "USER comes after the root-only setup");
});

test(".env is ignored by git and docker; .env.example lists every variable compose reads", () => {
  assert.ok(readFileSync(".gitignore", "utf8").split("\n").some((l) => l.trim() === ".env" || l.trim() === "/.env"), ".env in .gitignore");
  assert.ok(readFileSync(".dockerignore", "utf8").split("\n").some((l) => l.trim() === ".env"), ".env in .dockerignore");
  const example = readFileSync(".env.example", "utf8");
  const listed = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!));
  for (const name of new Set(references(compose).map((r) => r.name))) assert.ok(listed.has(name), `.env.example lists ${name}`);
  for (const name of Object.keys(SECRETS).filter((n) => !n.endsWith("_USER"))) {
    assert.match(example, new RegExp(`^${name}=$`, "m"), `${name} has no example value to copy`);
  }
});

// ---- resolved configuration ------------------------------------------------------------------

type Resolver = (envFile: string) => { status: number | null; stdout: string; stderr: string };

function findResolver(): Resolver | string {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() };
  const run = (cmd: string, args: string[], input?: string) => spawnSync(cmd, args, { env, encoding: "utf8", input, timeout: 60_000 });
  if (run("docker", ["compose", "version"]).status === 0) {
    return (envFile) => run("docker", ["compose", "--env-file", envFile, "config", "--format", "json"]);
  }
  if (run("docker-compose", ["version"]).status === 0 && run("python3", ["-c", "import yaml"]).status === 0) {
    return (envFile) => {
      const yaml = run("docker-compose", ["--env-file", envFile, "config"]);
      if (yaml.status !== 0) return yaml;
      return run("python3", ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"], yaml.stdout);
    };
  }
  return "neither `docker compose` (v2) nor `docker-compose` with python3-yaml is installed (Debian: apt-get install docker-compose)";
}

const resolver = findResolver();

function withEnvFile<T>(vars: Record<string, string>, fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "compose-env-"));
  try {
    const file = join(dir, "env");
    writeFileSync(file, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(""));
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, string | null>;
  ports?: unknown[];
}

test("compose config: each node gets the keys, tokens and NATS credentials; NATS ports are not published", (t) => {
  if (typeof resolver === "string") return t.skip(resolver);
  const out = withEnvFile(SECRETS, (file) => resolver(file));
  assert.equal(out.status, 0, out.stderr);
  const services = (JSON.parse(out.stdout) as { services: Record<string, Service> }).services;
  const nodes = Object.entries(services).filter(([, s]) => s.build !== undefined);
  assert.deepEqual(nodes.map(([n]) => n).sort(), ["node1", "node2", "node3"]);
  for (const [name, s] of nodes) {
    for (const v of NODE_VARS) assert.ok(s.environment && v in s.environment, `${name} gets ${v}`);
    assert.equal(s.environment!.INGEST_API_KEYS, SECRETS.INGEST_API_KEYS);
    assert.equal(s.environment!.ADMIN_TOKENS, SECRETS.ADMIN_TOKENS);
    assert.equal(s.environment!.NATS_PASSWORD, SECRETS.NATS_PASSWORD);
    assert.ok(!JSON.stringify(s.environment).includes("tickhouse-dev"));
  }
  const nats = Object.entries(services).filter(([, s]) => s.image?.startsWith("nats:"));
  assert.equal(nats.length, 3);
  for (const [name, s] of nats) {
    const published = JSON.stringify(s.ports ?? []);
    assert.ok(!/4222|8222/.test(published), `${name} publishes no client or monitoring port (${published})`);
    assert.equal(s.environment?.NATS_PASSWORD, SECRETS.NATS_PASSWORD, `${name} knows the node user's password`);
  }
});

test("compose config: a missing secret stops compose with a message naming it", (t) => {
  if (typeof resolver === "string") return t.skip(resolver);
  for (const name of Object.keys(SECRETS)) {
    const { [name]: _missing, ...rest } = SECRETS;
    const out = withEnvFile(rest, (file) => resolver(file));
    assert.notEqual(out.status, 0, `compose accepted a configuration without ${name}`);
    assert.match(out.stderr, new RegExp(`set ${name} in \\.env`), `${name}: ${out.stderr}`);
  }
});
