export { seededRandom } from "../../runtime/random.js";

/** Standard normal draw (Box-Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export const round = (x: number, digits: number): number => Number(x.toFixed(digits));
