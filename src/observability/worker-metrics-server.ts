// The worker's Prometheus endpoint on WORKER_METRICS_PORT: our registry (activity, notification,
// outbound-call metrics) followed by the Temporal SDK's own worker metrics. The SDK's exporter
// listens on a loopback port only (see src/worker/runtime.ts) and has no authentication, so
// this endpoint reads it and answers in its place, behind the same METRICS_TOKEN check as the API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics.js';
import { metricsRequestAllowed } from './metrics-auth.js';

const TEMPORAL_SCRAPE_TIMEOUT_MS = 2_000;

export interface WorkerMetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startWorkerMetricsServer(options: {
  port: number;
  host?: string;
  token: string | undefined;
  /** The SDK's loopback exporter, e.g. http://127.0.0.1:41234/metrics; absent when it is not installed */
  temporalMetricsUrl: string | undefined;
}): Promise<WorkerMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (!metricsRequestAllowed(req.headers.authorization, options.token)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('metrics require Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    void render(options.temporalMetricsUrl).then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function render(temporalMetricsUrl: string | undefined): Promise<string> {
  const ours = await metricsRegistry.metrics();
  if (!temporalMetricsUrl) return ours;
  try {
    const response = await fetch(temporalMetricsUrl, { signal: AbortSignal.timeout(TEMPORAL_SCRAPE_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return `${ours}\n${await response.text()}`;
  } catch (error) {
    // Our own metrics still count when the SDK's exporter does not answer.
    return `${ours}\n# Temporal SDK metrics unavailable: ${error instanceof Error ? error.message : 'error'}\n`;
  }
}
