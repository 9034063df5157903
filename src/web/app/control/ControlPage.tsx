/** Control plane: admin token, quality gate, admin commands, live log of all nodes, audit trail; and the log browser. */
import { useEffect, useState } from "react";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";
import { AuditTable } from "./AuditTable.js";
import { AdminSignIn } from "../ui/AdminSignIn.js";
import { adminClient } from "./client.js";
import { CommandRunner } from "./CommandRunner.js";
import { LogBrowser } from "./LogBrowser.js";
import { LogTail } from "./LogTail.js";
import { QualityCard } from "./QualityCard.js";
import { VerifyCard } from "./VerifyCard.js";
import type { LogFilterState } from "./useLogTail.js";
import "./control.css";

type Access = { localOnly: boolean; allowed: boolean; reason: string | null };

function AccessBar(props: { access: Access | null; error: string | null; onChange: () => void }) {
  const { access, error } = props;
  return (
    <div className="access" data-testid="access">
      <span className="muted small">
        {error ?? (access === null ? "…" : access.localOnly ? "No ADMIN_TOKENS configured: commands are accepted from this machine only." : access.allowed ? "Admin token accepted." : "Commands need an admin token.")}
      </span>
      <AdminSignIn onChange={props.onChange} />
    </div>
  );
}

export function ControlPage(props: { view: "operations" | "browser"; onView: (v: "operations" | "browser") => void }) {
  const [filter, setFilter] = useState<LogFilterState>({ level: "info", component: "", node: "", text: "" });
  const [signal, setSignal] = useState(0);
  const [tokenSignal, setTokenSignal] = useState(0);
  // Whether this browser passes the admin gate: it also opens the admin-only reads (audit trail, KV and AUDIT streams, dead-letter payloads).
  const [access, setAccess] = useState<Access | null>(null);
  const [accessError, setAccessError] = useState<string | null>(null);
  useEffect(() => void adminClient.control.access.query().then(setAccess, (e: unknown) => setAccessError(errorText(e))), [tokenSignal]);
  const admin = access?.allowed ?? null;
  const bump = () => setSignal((n) => n + 1);
  // Refresh the report list when a run's closing line shows up in the tail (pushed, not polled).
  useEffect(() => {
    const sub = trpc.control.logs$.subscribe(
      { filter: { components: ["quality"], text: "quality run" } },
      { onData: (e) => / (PASSED|WARN|FAILED|broke)/.test((e.data as { message: string }).message) && bump() },
    );
    return () => sub.unsubscribe();
  }, []);
  return (
    <div className="control">
      <div className="toolbar">
        <div className="symbols">
          <button className={`chip ${props.view === "operations" ? "active" : ""}`} onClick={() => props.onView("operations")}>
            Operations
          </button>
          <button className={`chip ${props.view === "browser" ? "active" : ""}`} onClick={() => props.onView("browser")}>
            Log browser
          </button>
        </div>
        <AccessBar access={access} error={accessError} onChange={() => setTokenSignal((n) => n + 1)} />
      </div>
      {props.view === "browser" ? (
        <LogBrowser admin={admin} />
      ) : (
        <div className="control-grid">
          <div className="control-left">
            <QualityCard
              finishedSignal={signal}
              onRun={() => {
                setFilter((f) => ({ ...f, component: "quality", level: "info" }));
              }}
            />
            <VerifyCard refreshSignal={signal} />
            <CommandRunner refreshSignal={tokenSignal} onDone={bump} />
            <AuditTable refreshSignal={signal} admin={admin} />
          </div>
          <LogTail filter={filter} onFilter={setFilter} />
        </div>
      )}
    </div>
  );
}
