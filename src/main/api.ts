// `npm run api`: the HTTP API process.
import { loadConfig, requireSetting } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createDatabase } from '../db/client.js';
import { closeStreamingReads } from '../db/streaming-reads.js';
import { startTenantEventSweeper } from '../tenant-events/event-starter.js';
import { API_POOL_SIZE } from '../worker/worker-slots.js';
import { startFailedClaimSweeper } from '../temporal/claim-restart.js';
import { graphClientFromConfig } from '../integrations/meta/graph-client-from-config.js';
import { createApp } from '../http/app.js';
import { createLogger } from '../logger.js';
import { connectTemporalClient } from '../temporal/connection.js';
import { startWebhookSweeper } from '../temporal/webhook-starter.js';
import { startClaimSweeper } from '../temporal/claim-starter.js';
import { startSubscriptionSweeper } from '../webhook-subscriptions/request-subscription.js';
import { collectProcessMetrics } from '../observability/metrics.js';
import { setupTracing } from '../observability/tracing.js';
import { requireMetricsProtection, warnAboutRiskySettings } from './startup-warnings.js';

export async function startApi(options: { onListening?: (port: number) => void; dev?: boolean } = {}) {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'api' });
  requireMetricsProtection(config, logger, options);
  // Before the Temporal client: its interceptors take the global tracer when they run.
  const tracing = setupTracing({ serviceName: 'social-tasks-api', otlpEndpoint: config.observability.otlpEndpoint });
  collectProcessMetrics();
  warnAboutRiskySettings(config, logger, options);
  const db = createDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL'), {
    role: 'request',
    maxConnections: config.databasePoolSize ?? API_POOL_SIZE,
  });
  const temporal = await connectTemporalClient(config);
  const deps = { config, db, temporal, secrets: createSecretBox([config.tokenEncryptionKey]), logger, graph: graphClientFromConfig(config) };
  const app = createApp(deps);
  // Claims and webhook deliveries are stored before their workflows start; these sweepers start
  // any whose start never got through (process died, Temporal unreachable).
  const sweepers = [
    startClaimSweeper(deps),
    startWebhookSweeper(deps),
    startSubscriptionSweeper(deps),
    startFailedClaimSweeper(deps),
    startTenantEventSweeper(deps),
  ];
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port }, 'API listening');
    options.onListening?.(config.port);
  });
  const stop = async () => {
    for (const sweeper of sweepers) sweeper.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await temporal.connection.close();
    await db.$disconnect();
    await closeStreamingReads();
    await tracing.shutdown();
  };
  return { stop, server };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startApi()
    .then(({ stop }) => {
      const shutdown = () => void stop().then(() => process.exit(0));
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
