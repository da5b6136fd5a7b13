// `npm run worker`: the Temporal worker process. SIGTERM/SIGINT drain in-flight work, then exit.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, requireSetting } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createDatabase } from '../db/client.js';
import { createLogger } from '../logger.js';
import { graphClientFromConfig } from '../integrations/meta/graph-client-from-config.js';
import { connectTemporalClient } from '../temporal/connection.js';
import { collectProcessMetrics } from '../observability/metrics.js';
import { setupTracing } from '../observability/tracing.js';
import { startWorkerMetricsServer } from '../observability/worker-metrics-server.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import { ensureRetentionSchedule } from '../temporal/retention-schedule.js';
import { configureSendQueue, createSendWorker } from '../worker/send-queue.js';
import { createWorker } from '../worker/worker.js';
import { BATCH_POOL_SIZE, workerPoolSize } from '../worker/worker-slots.js';
import { warnAboutRiskySettings } from './startup-warnings.js';

export async function startWorker(options: { dev?: boolean } = {}) {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  warnAboutRiskySettings(config, logger, options);
  const runtime = await installWorkerRuntime(config, logger);
  const tracing = setupTracing({ serviceName: 'social-tasks-worker', otlpEndpoint: config.observability.otlpEndpoint });
  collectProcessMetrics();
  const { workerMetricsPort, metricsToken } = config.observability;
  const metricsServer =
    workerMetricsPort === undefined
      ? undefined
      : await startWorkerMetricsServer({ port: workerMetricsPort, token: metricsToken, temporalMetricsUrl: runtime.temporalMetricsUrl });
  if (metricsServer) logger.info({ port: metricsServer.port }, 'worker metrics listening');
  const databaseUrl = requireSetting(config.databaseUrl, 'DATABASE_URL');
  const db = createDatabase(databaseUrl, { role: 'activity', maxConnections: config.databasePoolSize ?? workerPoolSize() });
  const batchDb = createDatabase(databaseUrl, { role: 'batch', maxConnections: BATCH_POOL_SIZE });
  const address = requireSetting(config.temporal.address, 'TEMPORAL_ADDRESS');
  const connection = await NativeConnection.connect({ address });
  const temporal = await connectTemporalClient(config);
  const deps = { config, db, batchDb, secrets: createSecretBox([config.tokenEncryptionKey]), logger, temporal, graph: graphClientFromConfig(config) };
  const worker = await createWorker({ connection, deps });
  // Sends run on their own queue, paced per channel by the server (src/worker/send-queue.ts).
  const paced = await configureSendQueue(temporal, config, logger);
  const sendWorker = await createSendWorker({ connection, deps });
  logger.info(
    { taskQueue: config.temporal.taskQueue, sendTaskQueue: config.temporal.sendTaskQueue, paced, sendRate: config.whatsappSendRate },
    'worker started',
  );
  // The daily prune of old webhook deliveries and statuses; a failure here must not stop the worker.
  ensureRetentionSchedule(temporal, config).catch((error: unknown) =>
    logger.error({ err: error }, 'could not create the retention schedule; run npm run schedules:reconcile'),
  );
  const running = Promise.all([worker.run(), sendWorker.run()])
    .then(() => undefined)
    .finally(async () => {
      await metricsServer?.close();
      await tracing.shutdown();
      await connection.close();
      await temporal.connection.close();
      await db.$disconnect();
      await batchDb.$disconnect();
    });
  return {
    worker,
    running,
    stop: () => {
      if (sendWorker.getState() === 'RUNNING') sendWorker.shutdown();
      worker.shutdown();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startWorker()
    .then(({ running }) => running)
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
