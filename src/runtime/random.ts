/**
 * The one seeded pseudo-random generator (mulberry32): simulators, synthetic training data, random
 * forests and property tests are reproducible from a seed, in any thread, without Math.random.
 */
export type Rng = () => number;

/** Uniform numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
