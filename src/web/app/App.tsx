/** The shell: header with product name, page tabs, connection state and sign-out; routes by path. */
import { useConnection, usePath } from "./hooks.js";
import { LivePage } from "./live/LivePage.js";
import { SystemPage } from "./system/SystemPage.js";
import { MlopsPage } from "./mlops/MlopsPage.js";
import { ControlPage } from "./control/ControlPage.js";
import { DataPage } from "./data/DataPage.js";
import { ConnectionsPage } from "./connections/ConnectionsPage.js";
import { SignOut } from "./ui/SignOut.js";

const PAGES = [
  { path: "/", label: "Live market" },
  { path: "/mlops", label: "MLOps" },
  { path: "/system", label: "System" },
  { path: "/data", label: "Data" },
  { path: "/connections", label: "Connections" },
  { path: "/control", label: "Control plane" },
] as const;

function ConnectionBadge() {
  const state = useConnection();
  const text = state === "open" ? "Live" : state === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span className={`badge ${state}`} data-testid="connection">
      <span className="pulse" /> {text}
    </span>
  );
}

export function App() {
  const [path, navigate] = usePath();
  const url = new URL(path, location.origin);
  const page = url.pathname.startsWith("/control") ? "/control" : url.pathname.startsWith("/connections") ? "/connections" : url.pathname.startsWith("/data") ? "/data" : url.pathname.startsWith("/system") ? "/system" : url.pathname.startsWith("/mlops") ? "/mlops" : "/";
  const symbol = url.searchParams.get("symbol");
  return (
    <div className="app">
      <header className="header">
        <div className="brand">
          <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden>
            <rect width="16" height="16" rx="3.5" fill="#0ea5e9" />
            <path d="M3 11l3-4 3 2 4-5" stroke="white" strokeWidth="1.8" fill="none" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <span className="brand-name">Tickhouse</span>
          <span className="brand-sub">market data · predictions</span>
        </div>
        <nav className="tabs">
          {PAGES.map((p) => (
            <a
              key={p.path}
              href={p.path}
              className={page === p.path ? "tab active" : "tab"}
              onClick={(e) => {
                e.preventDefault();
                navigate(p.path);
              }}
            >
              {p.label}
            </a>
          ))}
        </nav>
        <ConnectionBadge />
        <SignOut />
      </header>
      <main className="content">
        {page === "/control" ? <ControlPage view={url.searchParams.get("view") === "browser" ? "browser" : "operations"} onView={(v) => navigate(v === "browser" ? "/control?view=browser" : "/control")} /> : page === "/data" ? <DataPage /> : page === "/connections" ? <ConnectionsPage /> : page === "/mlops" ? <MlopsPage symbol={symbol} onSymbol={(s) => navigate(`/mlops?symbol=${encodeURIComponent(s)}`)} /> : page === "/system" ? <SystemPage /> : <LivePage symbol={symbol} onSymbol={(s) => navigate(`/?symbol=${encodeURIComponent(s)}`)} />}
      </main>
    </div>
  );
}
