// Types of plan.mjs (plain JavaScript so that it runs before node_modules exists).

export interface LockFile {
  packages?: Record<string, { version?: string; optional?: boolean; [field: string]: unknown }>;
  [field: string]: unknown;
}

export function installReason(state: { lock: LockFile | undefined; installed: LockFile | undefined }): string | undefined;

export interface Facts {
  ci: boolean;
  root: boolean;
  apt: boolean;
  natsServer: string | undefined;
  chromium: string | undefined;
  promtool: string | undefined;
  postgres: {
    configuredUrl: string | undefined;
    local: { state: "ready" | "no-test-database" | "refused" | "down" | "unchecked"; error?: string };
    binDir: string | undefined;
  };
}

export type Step =
  | { piece: string; action: "use"; path: string }
  | { piece: "postgresql"; action: "use"; url: string; createDatabase: boolean; configured: boolean }
  | { piece: string; action: "apt"; package: string }
  | { piece: "postgresql"; action: "private"; binDir: string; why: string }
  | { piece: "chromium" | "promtool"; action: "skip"; reason: string; enable: string }
  | { piece: string; action: "stop"; reason: string; command: string };

export function aptCommand(facts: Pick<Facts, "root">, pkg: string): string;
export function planServices(facts: Facts): [Step, Step, Step, Step];
export function planStartNats(
  facts: Pick<Facts, "natsServer" | "root" | "apt"> & { natsConfigured: boolean; localNatsAnswers: boolean },
): { piece: "nats-server"; action: "apt"; package: string } | undefined;
