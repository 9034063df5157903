/**
 * Ready-to-copy ways to send a source's data: curl and Python `requests` over HTTP
 * (`POST /api/ingest/<source>`, API key in X-API-Key), nats.js and the `nats` CLI over NATS
 * (`ingest.<source>.<data_type>` on the CUSTOM stream). Pure: the page fills in its origin.
 */
export interface SnippetInput {
  /** The dashboard's origin, e.g. http://127.0.0.1:3000. */
  origin: string;
  /** NATS URL as the sender would reach it. */
  natsUrl: string;
  source: string;
  dataType: string;
  /** The key just created, else a placeholder. */
  apiKey?: string | undefined;
}

export interface Snippet {
  id: "curl" | "python" | "natsjs" | "nats-cli";
  title: string;
  code: string;
}

const EXAMPLE = { symbol: "WIDGET", price: 12.5, quantity: 3, timestamp: "2026-11-28T09:00:00Z" };
const KEY_PLACEHOLDER = "<your API key>";

export function snippets(i: SnippetInput): Snippet[] {
  const key = i.apiKey ?? KEY_PLACEHOLDER;
  const path = i.dataType ? `/api/ingest/${i.source}/${i.dataType}` : `/api/ingest/${i.source}`;
  const subject = `ingest.${i.source}.${i.dataType || "market"}`;
  const body = JSON.stringify(EXAMPLE);
  return [
    {
      id: "curl",
      title: "curl (HTTP)",
      code: `curl -X POST ${i.origin}${path} \\\n  -H 'X-API-Key: ${key}' \\\n  -H 'content-type: application/json' \\\n  -d '${body}'`,
    },
    {
      id: "python",
      title: "Python requests (HTTP)",
      code: [
        "import requests",
        "",
        `r = requests.post("${i.origin}${path}",`,
        `                  headers={"X-API-Key": "${key}"},`,
        `                  json=${pythonLiteral(EXAMPLE)})`,
        "r.raise_for_status()  # 202: stored; 400/401/403/413/429/503 carry a JSON reason",
        'print(r.json()["sequences"])',
      ].join("\n"),
    },
    {
      id: "natsjs",
      title: "nats.js (NATS)",
      code: [
        'import { connect } from "@nats-io/transport-node";',
        'import { jetstream } from "@nats-io/jetstream";',
        "",
        `const nc = await connect({ servers: "${i.natsUrl}" });`,
        `const ack = await jetstream(nc).publish("${subject}", JSON.stringify(${body}));`,
        "console.log(`stored in ${ack.stream} as #${ack.seq}`);",
        "await nc.close();",
      ].join("\n"),
    },
    { id: "nats-cli", title: "nats CLI (NATS)", code: `nats --server ${i.natsUrl} pub ${subject} '${body}'` },
  ];
}

function pythonLiteral(v: Record<string, string | number>): string {
  return `{${Object.entries(v)
    .map(([k, x]) => `"${k}": ${typeof x === "string" ? `"${x}"` : x}`)
    .join(", ")}}`;
}
