/**
 * The figures a bench measured, as data: each bench calls `record(...)` next to its human-readable
 * line, and `phase(...)` when it starts a step. Run by the bench runner (a child process with an
 * IPC channel), both go to the parent, which prints them on a deadline and writes the report;
 * run standalone (`npx tsx bench/x.ts`), they are kept in memory only.
 */

export interface Figure {
  /** What was measured, e.g. "tell throughput, 1 actor (2M msgs)". */
  name: string;
  figure: number;
  unit: string;
  note?: string;
}

/** Child → parent messages of the bench runner. */
export type RunnerMessage = { type: "figure"; figure: Figure } | { type: "phase"; text: string } | { type: "waiting"; text: string } | { type: "failed"; text: string };

const recorded: Figure[] = [];
let current = { text: "starting", since: Date.now() };

function send(message: RunnerMessage): void {
  if (process.send && process.connected) process.send(message);
}

export function record(name: string, figure: number, unit: string, note?: string): void {
  const f: Figure = note === undefined ? { name, figure, unit } : { name, figure, unit, note };
  recorded.push(f);
  send({ type: "figure", figure: f });
}

/** What the bench is doing now (shown when a deadline passes). */
export function phase(text: string): void {
  current = { text, since: Date.now() };
  send({ type: "phase", text });
}

export function currentPhase(): string {
  return `${current.text} (for ${((Date.now() - current.since) / 1000).toFixed(1)} s; ${recorded.length} figures recorded so far)`;
}

export function recordedFigures(): readonly Figure[] {
  return recorded;
}

/** Records `rows` and prints them as aligned `name  value unit` lines; `digits` are the printed decimals. */
export function recordRows(rows: ReadonlyArray<Figure & { digits?: number }>): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const { digits = 0, ...f } of rows) {
    const value = f.figure.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    console.log(`  ${f.name.padEnd(width)}  ${value} ${f.unit}${f.note ? ` (${f.note})` : ""}`);
    record(f.name, f.figure, f.unit, f.note);
  }
}
