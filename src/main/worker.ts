// `npm run worker`: the Temporal worker process. SIGTERM/SIGINT drain in-flight work, then exit.
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfig, requireSetting } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createDatabase } from '../db/client.js';
import { createLogger } from '../logger.js';
import { connectTemporalClient } from '../temporal/connection.js';
import { createWorker } from '../temporal/worker.js';
import { warnAboutRiskySettings } from './startup-warnings.js';

export async function startWorker(options: { dev?: boolean } = {}) {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'worker' });
  warnAboutRiskySettings(config, logger, options);
  // The SDK logs every bundling step at INFO; keep its own chatter at WARN unless debugging.
  Runtime.install({ logger: new DefaultLogger((config.logLevel === 'debug' ? 'DEBUG' : 'WARN') as LogLevel) });
  const db = createDatabase(requireSetting(config.databaseUrl, 'DATABASE_URL'));
  const address = requireSetting(config.temporal.address, 'TEMPORAL_ADDRESS');
  const connection = await NativeConnection.connect({ address });
  const temporal = await connectTemporalClient(config);
  const worker = await createWorker({
    connection,
    deps: { config, db, secrets: createSecretBox([config.tokenEncryptionKey]), logger, temporal },
  });
  logger.info({ taskQueue: config.temporal.taskQueue }, 'worker started');
  const running = worker.run().finally(async () => {
    await connection.close();
    await temporal.connection.close();
    await db.$disconnect();
  });
  return { worker, running, stop: () => worker.shutdown() };
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
