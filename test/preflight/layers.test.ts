/**
 * The layer rules of src/ (.dependency-cruiser.cjs, run by `npm test` after the typecheck): the
 * project itself passes them, and a tree that breaks them — an import from a lower layer into a
 * higher one, a cycle made only of type imports, a peer import between two folders of one layer —
 * fails, naming the rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const depcruise = join(repoRoot, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const config = join(repoRoot, ".dependency-cruiser.cjs");

function cruise(cwd: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [depcruise, "--config", config, "src"], { cwd, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test("src passes the layer rules: no upward import, no cycle", () => {
  const r = cruise(repoRoot);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /no dependency violations found \((\d+) modules/);
  const modules = Number(/\((\d+) modules/.exec(r.output)?.[1]);
  assert.ok(modules > 300, `the rules must see the whole of src, saw ${modules} modules`);
});

test("an upward import, a type-only cycle and a peer import each fail, naming the rule", () => {
  const dir = tree({
    "src/runtime/clock.ts": 'import type { Roles } from "../node/roles.js";\nexport type Clock = { now(): number; roles?: Roles };\n',
    "src/node/roles.ts": "export type Roles = string[];\n",
    "src/ml/a.ts": 'import type { B } from "./b.js";\nexport type A = { b?: B };\n',
    "src/ml/b.ts": 'import type { A } from "./a.js";\nexport type B = { a?: A };\n',
    "src/lake/table.ts": 'import type { Row } from "../db/rows.js";\nexport type Table = Row[];\n',
    "src/db/rows.ts": "export type Row = { id: number };\n",
    "src/quality/gate.ts": 'import type { Row } from "../custom/rows.js";\nexport type Gate = Row;\n',
    "src/custom/rows.ts": "export type Row = { id: number };\n",
  });
  try {
    const r = cruise(dir);
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /layer-runtime: src\/runtime\/clock\.ts → src\/node\/roles\.ts/);
    assert.match(r.output, /no-cycles: src\/ml\/(a|b)\.ts/);
    assert.match(r.output, /layer-lake: src\/lake\/table\.ts → src\/db\/rows\.ts/);
    assert.doesNotMatch(r.output, /layer-quality/, "quality → custom is an allowed peer import");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
