/** The gateway's Prometheus metrics, on the node's registry when one is given (get-or-create, so two gateways share them). */
import { Counter, Histogram, type Metric, type Registry } from "prom-client";

function once<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export interface GatewayMetrics {
  requests: Counter<"status">;
  records: Counter;
  seconds: Histogram<"status">;
}

export function gatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    requests: once(registry, "ingest_gateway_requests_total", () => new Counter({ name: "ingest_gateway_requests_total", help: "Gateway requests by HTTP status", labelNames: ["status"], registers: [registry] })),
    records: once(registry, "ingest_gateway_records_total", () => new Counter({ name: "ingest_gateway_records_total", help: "Records accepted (stored in CUSTOM)", registers: [registry] })),
    seconds: once(registry, "ingest_gateway_request_seconds", () => new Histogram({ name: "ingest_gateway_request_seconds", help: "Gateway request duration by HTTP status", labelNames: ["status"], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] })),
  };
}
