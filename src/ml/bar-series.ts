/**
 * Seeded bar series for measuring the promotion rule's error rates (bench/ml-honesty.ts and a
 * few seeds in the tests). Trades are simulated, then cut into 30 s windows sliding every 10 s
 * as the SymbolActor does: a bar's close is the last trade of its window, its volatility the
 * population standard deviation of the window's trade prices.
 *
 * Families (the efficient log-price m moves per trade):
 * - "gaussian": m a random walk with normal steps;
 * - "regime": normal steps whose std-dev switches between calm / normal / turbulent at random,
 *   as src/simulator's synthetic source does;
 * - "fat-tails": Student-t (3 degrees of freedom) steps;
 * - "bounce": a normal random walk, each trade at the bid or the ask (m ± half a spread, side at
 *   random): the traded price jumps between two levels around m. Unlike the others this close
 *   is NOT a martingale — the bounce makes its returns negatively autocorrelated (Roll, 1984),
 *   so a model can really beat "next = last" there;
 * - "ar1": bar returns r_t = φ r_{t−1} + ε_t (trades spread the bar's move), the detectable case;
 *   with `skillEndsAt`, φ drops to 0 at that bar (the demotion bench).
 * The first three are martingales (up to exp's convexity, ~σ²/2 per bar): the naive forecast is
 * the best one, so any promotion on them is false.
 */
import { gaussian, seededRng, type Rng } from "./rng.js";

export type SeriesFamily = "gaussian" | "regime" | "fat-tails" | "bounce" | "ar1";

export interface SeriesBar {
  symbol: string;
  windowStart: number;
  windowEnd: number;
  close: number;
  volatility: number;
}

export interface SeriesOptions {
  family: SeriesFamily;
  bars: number;
  seed: number;
  /** AR(1) coefficient of bar returns ("ar1"). Default 0.3. */
  phi?: number;
  /** "ar1": from this bar on φ is 0, a random walk (a champion's skill vanishes). Default never. */
  skillEndsAt?: number;
  /** Trades per 10 s slide. Default 20. */
  tradesPerSlide?: number;
  /** Per-trade log-return std-dev (normal regime). Default 1e-4. */
  sigma?: number;
  /** Bid–ask spread as a fraction of the price ("bounce"). Default 2e-4. */
  spread?: number;
  symbol?: string;
  t0?: number;
}

const SLIDE_MS = 10_000;
const WINDOW_SLIDES = 3;
const REGIME_SCALE = [0.2, 1, 6]; // the simulator's 0.00002 / 0.0001 / 0.0006 around 1e-4
const REGIME_SWITCH = 1 / 4000;

/** Student t with 3 degrees of freedom, scaled to unit variance (its variance is 3). */
function studentT3(rng: Rng): number {
  const z = gaussian(rng);
  let chi2 = 0;
  for (let i = 0; i < 3; i++) chi2 += gaussian(rng) ** 2;
  return z / Math.sqrt(chi2 / 3) / Math.sqrt(3);
}

/** `bars` gap-free bars (one per slide) of the family, oldest first. */
export function barSeries(o: SeriesOptions): SeriesBar[] {
  const rng = seededRng(o.seed);
  const k = o.tradesPerSlide ?? 20;
  const sigma = o.sigma ?? 1e-4;
  const spread = o.spread ?? 2e-4;
  const phi = o.phi ?? 0.3;
  const symbol = o.symbol ?? "SERIES";
  const t0 = o.t0 ?? 1_700_000_000_000;
  let m = Math.log(100);
  let regime = 1;
  let barReturn = 0;
  // Trade prices of each slide; a window is the last WINDOW_SLIDES slides.
  const slides: Float64Array[] = [];
  const out: SeriesBar[] = [];
  const total = o.bars + WINDOW_SLIDES - 1;
  for (let s = 0; s < total; s++) {
    const prices = new Float64Array(k);
    // Slide s completes bar s − (WINDOW_SLIDES − 1).
    const skill = o.skillEndsAt === undefined || s - (WINDOW_SLIDES - 1) < o.skillEndsAt ? phi : 0;
    if (o.family === "ar1") barReturn = skill * barReturn + sigma * Math.sqrt(k) * gaussian(rng);
    for (let j = 0; j < k; j++) {
      let step: number;
      if (o.family === "regime") {
        if (rng() < REGIME_SWITCH) regime = Math.floor(rng() * REGIME_SCALE.length);
        step = sigma * REGIME_SCALE[regime]! * gaussian(rng);
      } else if (o.family === "fat-tails") step = sigma * studentT3(rng);
      else if (o.family === "ar1") step = barReturn / k; // the bar's move, spread evenly over its trades
      else step = sigma * gaussian(rng);
      m += step;
      const side = o.family === "bounce" ? (rng() < 0.5 ? -0.5 : 0.5) * spread : 0;
      prices[j] = Math.exp(m) * (1 + side);
    }
    slides.push(prices);
    if (s < WINDOW_SLIDES - 1) continue;
    let n = 0, sum = 0, sum2 = 0;
    for (let w = s - WINDOW_SLIDES + 1; w <= s; w++) {
      for (const p of slides[w]!) {
        n++;
        sum += p;
        sum2 += p * p;
      }
    }
    const mean = sum / n;
    const windowEnd = t0 + (s + 1) * SLIDE_MS;
    out.push({ symbol, windowStart: windowEnd - WINDOW_SLIDES * SLIDE_MS, windowEnd, close: prices[k - 1]!, volatility: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) });
  }
  return out;
}
