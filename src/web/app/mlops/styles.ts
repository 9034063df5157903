/** Page-specific styles on the shared palette (styles.css variables); injected once with the page. */
export const MLOPS_CSS = `
.mlops { display: flex; flex-direction: column; gap: 16px; }
.mlops-grid { display: grid; grid-template-columns: minmax(0, 1.4fr) minmax(0, 1fr); gap: 16px; }
.mlops-grid > .panel, .mlops .panel { display: flex; flex-direction: column; gap: 10px; }
.panel-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; }
.panel-head .card-title { margin-bottom: 0; }
.table th.sortable { cursor: pointer; user-select: none; }
.table th.sortable:hover { color: var(--text); }
.table th .arrow { color: var(--accent); margin-left: 4px; }
.table tr.champion td { background: rgba(56, 189, 248, 0.06); }
.table tr.naive td { color: var(--muted); font-style: italic; }
.table tr.demoted td { background: rgba(239, 68, 68, 0.06); }
.badge.demoted { color: var(--down); border-color: rgba(239, 68, 68, 0.45); padding: 2px 8px; }
.demotion { font-size: 12px; border-radius: 8px; padding: 6px 10px; background: rgba(239, 68, 68, 0.08); border: 1px solid rgba(239, 68, 68, 0.45); color: #fecaca; }
.btn { font: inherit; font-size: 12px; font-weight: 600; color: var(--text); background: var(--panel-2); border: 1px solid var(--border); border-radius: 7px; padding: 5px 10px; cursor: pointer; }
.btn:hover:not(:disabled) { border-color: var(--accent); }
.btn:disabled { opacity: 0.45; cursor: default; }
.btn.danger { color: #fecaca; border-color: rgba(239, 68, 68, 0.45); }
.btn.danger:hover:not(:disabled) { background: rgba(239, 68, 68, 0.12); border-color: var(--down); }
.token-input { font: inherit; font-size: 12px; color: var(--text); background: var(--bg); border: 1px solid var(--border); border-radius: 7px; padding: 5px 8px; width: 180px; }
.admin-bar { display: flex; gap: 8px; align-items: center; }
.pager { display: flex; gap: 8px; align-items: center; justify-content: flex-end; font-size: 12px; color: var(--muted); }
.imp-row { display: grid; grid-template-columns: 130px 1fr 56px; gap: 10px; align-items: center; font-size: 13px; padding: 3px 0; }
.imp-track { height: 8px; border-radius: 4px; background: var(--panel-2); overflow: hidden; }
.imp-fill { height: 100%; border-radius: 4px; background: linear-gradient(90deg, #0ea5e9, var(--accent)); }
.perf-svg { width: 100%; height: 180px; display: block; }
.perf-svg .grid { stroke: var(--border); stroke-width: 1; }
.perf-svg .model { stroke: var(--pred); stroke-width: 2; fill: none; }
.perf-svg .naive { stroke: #94a3b8; stroke-width: 1.5; stroke-dasharray: 4 3; fill: none; }
.feed { list-style: none; margin: 0; padding: 0; font-size: 13px; max-height: 260px; overflow: auto; }
.feed li { padding: 5px 0; border-bottom: 1px solid rgba(31, 40, 56, 0.6); display: flex; gap: 10px; }
.feed .when { color: var(--muted); flex: none; }
.notice { font-size: 12px; border-radius: 8px; padding: 6px 10px; background: rgba(34, 197, 94, 0.08); border: 1px solid rgba(34, 197, 94, 0.35); color: #bbf7d0; }
@media (max-width: 1100px) { .mlops-grid { grid-template-columns: 1fr; } }
`;
