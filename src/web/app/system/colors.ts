/** A stable colour per node id (same node, same colour on every page and reload). */
const PALETTE = ["#38bdf8", "#a78bfa", "#f472b6", "#34d399", "#fbbf24", "#fb7185", "#60a5fa", "#4ade80", "#f97316", "#2dd4bf"];

export function nodeColor(nodeId: string, known: readonly string[]): string {
  const i = known.indexOf(nodeId);
  if (i >= 0 && i < PALETTE.length) return PALETTE[i]!;
  let h = 0;
  for (const ch of nodeId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
