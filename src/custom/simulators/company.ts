/**
 * A company posting its own instruments' prices to the gateway, in the original's simple form
 * `{symbol, price, timestamp, quantity}` — each instrument a geometric random walk.
 */
import { gaussian, round, seededRandom } from "./rng.js";

export interface CompanyPrice {
  symbol: string;
  price: number;
  quantity: number;
  timestamp: number;
}

export interface CompanyOptions {
  instruments?: string[];
  seed?: number;
  /** Trade time of the first record (ms) and the spacing between records. */
  startTime?: number;
  stepMs?: number;
}

export const DEFAULT_INSTRUMENTS = ["WIDGET", "GADGET", "SPROCKET"];

export function* companyPrices(options: CompanyOptions = {}): Generator<CompanyPrice> {
  const instruments = options.instruments ?? DEFAULT_INSTRUMENTS;
  const random = seededRandom(options.seed ?? 7);
  const prices = instruments.map((_, i) => 50 + 25 * i);
  let t = options.startTime ?? Date.now();
  for (let n = 0; ; n++) {
    const i = n % instruments.length;
    prices[i] = prices[i]! * Math.exp(0.002 * gaussian(random));
    yield { symbol: instruments[i]!, price: round(prices[i]!, 4), quantity: round(0.1 + random() * 10, 3), timestamp: t };
    t += options.stepMs ?? 100;
  }
}

export interface PostResult {
  status: number;
  body: unknown;
}

/** POSTs records to `<url>/api/ingest/<source>` as one JSON array (or one object when there is one). */
export async function postRecords(url: string, source: string, apiKey: string, records: unknown[]): Promise<PostResult> {
  const res = await fetch(`${url.replace(/\/$/, "")}/api/ingest/${source}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify(records.length === 1 ? records[0] : records),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}
