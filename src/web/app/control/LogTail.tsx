/** Live log of every node with level, component (actor), node and text filters; follows the newest line unless scrolled up. */
import { useEffect, useRef, useState } from "react";
import { trpc } from "../trpc.js";
import { useLogTail, type Level, type LogFilterState } from "./useLogTail.js";

const LEVELS: Level[] = ["debug", "info", "warn", "error"];

function time(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleTimeString("en-GB", { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

export function LogTail(props: { filter: LogFilterState; onFilter: (f: LogFilterState) => void }) {
  const { filter, onFilter } = props;
  const { lines, error } = useLogTail(filter);
  const [facets, setFacets] = useState<{ components: string[]; nodes: string[] }>({ components: [], nodes: [] });
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  /** Where we last scrolled the box ourselves: a scroll event above it is the user's. */
  const autoTop = useRef(0);
  useEffect(() => {
    trpc.control.logs.query({ filter: {}, limit: 1 }).then((r) => setFacets(r.facets), () => undefined);
  }, [lines.length > 0]);
  useEffect(() => {
    const el = box.current;
    if (el && follow.current) {
      el.scrollTop = el.scrollHeight;
      autoTop.current = el.scrollTop;
    }
  }, [lines]);
  const components = [...new Set([...facets.components, ...lines.map((l) => l.component)])].sort();
  const nodes = [...new Set([...facets.nodes, ...lines.map((l) => l.node)])].sort();
  return (
    <section className="panel log-panel">
      <div className="panel-head">
        <div className="card-title">Live log · all nodes</div>
        <div className="filters">
          <select aria-label="level" value={filter.level} onChange={(e) => onFilter({ ...filter, level: e.target.value as Level })}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                ≥ {l}
              </option>
            ))}
          </select>
          <select aria-label="component" value={filter.component} onChange={(e) => onFilter({ ...filter, component: e.target.value })}>
            <option value="">all actors</option>
            {components.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <select aria-label="node" value={filter.node} onChange={(e) => onFilter({ ...filter, node: e.target.value })}>
            <option value="">all nodes</option>
            {nodes.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
          <input aria-label="search" placeholder="search…" value={filter.text} onChange={(e) => onFilter({ ...filter, text: e.target.value })} />
        </div>
      </div>
      {error !== null && <div className="banner error small">{error}</div>}
      <div
        className="log-lines mono"
        data-testid="log-tail"
        ref={box}
        onScroll={(e) => {
          // Lines can arrive between our scroll and its event: only a move up from where we put
          // the box stops following; back at the bottom, it follows again.
          const el = e.currentTarget;
          if (el.scrollHeight - el.scrollTop - el.clientHeight < 24) follow.current = true;
          else if (el.scrollTop < autoTop.current - 4) follow.current = false;
        }}
      >
        {lines.length === 0 && <div className="muted pad">No log lines yet for this filter.</div>}
        {lines.map((l) => (
          <div key={l.id} className={`log-line lvl-${l.level}`}>
            <span className="log-time">{time(l.at)}</span>
            <span className={`log-level lvl-${l.level}`}>{l.level.toUpperCase()}</span>
            <span className="log-node">{l.node}</span>
            <span className="log-comp">[{l.component}]</span>
            <span className="log-msg">{l.message}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
