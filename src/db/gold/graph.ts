import type { ModelFile } from "./model-file.js";
import { ModelDefinitionError } from "./model-file.js";

/** Models in dependency order (a model after everything it reads); ties broken by name so runs are reproducible. */
export function dependencyOrder(models: readonly ModelFile[]): ModelFile[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  if (byName.size !== models.length) throw new ModelDefinitionError("two model files have the same name");
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const m of models) {
    for (const dep of m.dependsOn) {
      if (!byName.has(dep)) throw new ModelDefinitionError(`model ${m.name} depends on unknown model "${dep}"`);
      dependents.set(dep, [...(dependents.get(dep) ?? []), m.name]);
    }
    waitingOn.set(m.name, new Set(m.dependsOn).size);
  }
  const ready = models.filter((m) => waitingOn.get(m.name) === 0).map((m) => m.name).sort();
  const order: ModelFile[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(byName.get(name)!);
    for (const d of new Set(dependents.get(name) ?? [])) {
      const left = waitingOn.get(d)! - 1;
      waitingOn.set(d, left);
      if (left === 0) {
        ready.push(d);
        ready.sort();
      }
    }
  }
  if (order.length !== models.length) {
    const stuck = models.filter((m) => !order.includes(m)).map((m) => m.name);
    throw new ModelDefinitionError(`dependency cycle among models: ${stuck.join(", ")}`);
  }
  return order;
}

/** The selected models and everything downstream of them (a rebuilt table may drop dependent views). */
export function withDownstream(models: readonly ModelFile[], selected: readonly string[]): Set<string> {
  const names = new Set(models.map((m) => m.name));
  for (const s of selected) if (!names.has(s)) throw new ModelDefinitionError(`no model named "${s}"`);
  const out = new Set(selected);
  let grew = true;
  while (grew) {
    grew = false;
    for (const m of models) {
      if (!out.has(m.name) && m.dependsOn.some((d) => out.has(d))) {
        out.add(m.name);
        grew = true;
      }
    }
  }
  return out;
}
