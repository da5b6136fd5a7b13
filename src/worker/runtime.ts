// The Temporal Runtime of the worker process: installed once per process, before any connection
// or worker exists (Runtime.install throws afterwards). With WORKER_METRICS_PORT set, the SDK's
// Prometheus exporter is bound to a free loopback port, and the worker's metrics endpoint
// (src/observability/worker-metrics-server.ts) serves its output behind METRICS_TOKEN.
import { createServer } from 'node:net';
import { Runtime } from '@temporalio/worker';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { temporalLoggerOver } from '../observability/temporal-logger.js';

export interface InstalledRuntime {
  /** Where the SDK's own Prometheus exporter answers, when it was installed */
  readonly temporalMetricsUrl: string | undefined;
}

let installed: InstalledRuntime | undefined;

export async function installWorkerRuntime(config: AppConfig, logger: Logger): Promise<InstalledRuntime> {
  if (installed) return installed;
  const port = config.observability.workerMetricsPort === undefined ? undefined : await freeLoopbackPort();
  try {
    Runtime.install({
      // Through our logger (JSON, trace and claim ids). The SDK logs every bundling step at
      // INFO; keep its own chatter at WARN unless debugging.
      logger: temporalLoggerOver(logger, config.logLevel === 'debug' ? 'DEBUG' : 'WARN'),
      ...(port === undefined ? {} : { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } }),
    });
    installed = { temporalMetricsUrl: port === undefined ? undefined : `http://127.0.0.1:${port}/metrics` };
  } catch (error) {
    // Someone (a test helper, another entry point in this process) installed it first.
    logger.warn({ err: error }, 'Temporal runtime already installed; the worker endpoint serves our metrics only');
    installed = { temporalMetricsUrl: undefined };
  }
  return installed;
}

/** A port the OS considers free right now; the SDK binds it a moment later. */
async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
