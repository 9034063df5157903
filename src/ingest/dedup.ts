/**
 * De-duplication and gap rules for one (source, symbol), whose trade ids are consecutive
 * (Binance): a trade at or below the high-water mark was already taken (reconnect overlap, a
 * replay) and is dropped; a jump above mark+1 is a gap of the ids in between.
 */
export type Admission = { kind: "accept"; missing: number } | { kind: "duplicate" };

/** `lastId` undefined = nothing known for this key yet: accept, no gap can be claimed. */
export function admit(lastId: number | undefined, tradeId: number): Admission {
  if (lastId === undefined) return { kind: "accept", missing: 0 };
  if (tradeId <= lastId) return { kind: "duplicate" };
  return { kind: "accept", missing: tradeId - lastId - 1 };
}

/** A batch trimmed to the trades above `lastId` (ids ascending); the same array when nothing is dropped. */
export function aboveMark<T extends { tradeId: number }>(trades: readonly T[], lastId: number | undefined): readonly T[] {
  if (lastId === undefined || trades.length === 0 || trades[0]!.tradeId > lastId) return trades;
  let k = 0;
  while (k < trades.length && trades[k]!.tradeId <= lastId) k++;
  return trades.slice(k);
}
