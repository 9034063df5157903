/**
 * Seeded pseudo-random numbers (mulberry32): forests and synthetic data are reproducible from a
 * seed, in any thread, without Math.random.
 */
import { seededRandom, type Rng } from "../runtime/random.js";

export type { Rng };

export const seededRng: (seed: number) => Rng = seededRandom;

/** Standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  let u = rng();
  while (u <= Number.EPSILON) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
