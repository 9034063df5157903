/** Structured one-line logs on stdout; a sink can forward them (e.g. to the EVENTS stream). */
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  at: string;
  level: LogLevel;
  node: string;
  component: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export function createLogger(options: {
  node: string;
  level: LogLevel;
  component?: string;
  write?: (line: string) => void;
  sink?: (record: LogRecord) => void;
}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const component = options.component ?? "node";
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < RANK[options.level]) return;
    const record: LogRecord = { at: new Date().toISOString(), level, node: options.node, component, message, ...(fields ? { fields } : {}) };
    const extra = fields ? " " + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ") : "";
    write(`${record.at} ${level.toUpperCase().padEnd(5)} [${component}] ${message}${extra}`);
    options.sink?.(record);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (c) => createLogger({ ...options, component: c }),
  };
}
