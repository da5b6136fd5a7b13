// The database's own limits: each role's connections carry statement, lock and idle-transaction
// timeouts; the worker's pool has a connection for every slot; and the observation interceptor's
// lookups never keep an activity from heartbeating while the pool is busy.
import { MockActivityEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { pino } from 'pino';
import { createNotificationActivities } from '../../activities/notifications.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { SESSION_LIMITS } from '../../src/db/session-limits.js';
import { observeActivities } from '../../src/observability/activity-observation.js';
import { temporalLoggerOver } from '../../src/observability/temporal-logger.js';
import { WORKER_SLOTS, workerPoolSize } from '../../src/worker/worker-slots.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { testConfig } from '../workflows/claim-support.js';
import { seedClaim } from '../support/factories.js';

let database: TestDatabase;
const opened: Database[] = [];
const open = (options: Parameters<typeof createDatabase>[1]) => {
  const db = createDatabase(database.url, options);
  opened.push(db);
  return db;
};

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(opened.map((db) => db.$disconnect()));
  await database?.close();
});

const setting = async (db: Database, name: string) =>
  (await db.$queryRawUnsafe<{ value: string }[]>(`SELECT setting AS value FROM pg_settings WHERE name = '${name}'`))[0]?.value ?? '';

test.each(['request', 'activity', 'batch'] as const)('connections of the %s role carry its timeouts', async (role) => {
  const db = open({ role, maxConnections: 1 });
  const limits = SESSION_LIMITS[role];
  expect(Number(await setting(db, 'statement_timeout'))).toBe(limits.statementTimeoutMs);
  expect(Number(await setting(db, 'lock_timeout'))).toBe(limits.lockTimeoutMs);
  expect(Number(await setting(db, 'idle_in_transaction_session_timeout'))).toBe(limits.idleInTransactionMs);
});

test('request paths give up sooner than batch passes', () => {
  for (const key of ['statementTimeoutMs', 'lockTimeoutMs', 'idleInTransactionMs'] as const) {
    expect(SESSION_LIMITS.request[key]).toBeLessThan(SESSION_LIMITS.activity[key]);
    expect(SESSION_LIMITS.activity[key]).toBeLessThan(SESSION_LIMITS.batch[key]);
  }
});

test('a request blocked by a lock fails with a lock timeout instead of waiting for it', async () => {
  const locker = new pg.Client({ connectionString: database.url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "Tenant" IN ACCESS EXCLUSIVE MODE');
    const db = open({ role: 'request', maxConnections: 1 });
    const guard = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting for the lock'), 30_000).unref());
    const outcome = await Promise.race([
      db.tenant.count().then(
        () => 'read through the lock',
        (error: Error) => error.message,
      ),
      guard,
    ]);
    expect(outcome).toMatch(/lock timeout/i);
  } finally {
    await locker.query('ROLLBACK');
    await locker.end();
  }
});

test("the worker's pool has a connection for each activity, local-activity and send slot", () => {
  expect(workerPoolSize()).toBeGreaterThanOrEqual(WORKER_SLOTS.activities + WORKER_SLOTS.localActivities + WORKER_SLOTS.sendActivities);
});

test('a send heartbeats at once even while every database connection is busy', async () => {
  const secrets = createSecretBox([testConfig().tokenEncryptionKey]);
  const { claimId } = await seedClaim(database.db, secrets, { providerUrl: 'http://127.0.0.1:9/send' });
  // One connection, held by a transaction until the heartbeat is seen: every lookup waits for it.
  const db = open({ maxConnections: 1 });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding!: () => void;
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  const transaction = db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      holding();
      await released;
    },
    { timeout: 60_000 },
  );
  await held;

  const config = testConfig();
  const env = new MockActivityEnvironment(
    { activityType: 'sendNotification', heartbeatTimeoutMs: 10_000, workflowExecution: { workflowId: `claim-${claimId}`, runId: 'run-1' } },
    { interceptors: [observeActivities(pino({ level: 'silent' }))], logger: temporalLoggerOver(pino({ level: 'silent' }), 'ERROR') },
  );
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  const logger = pino({ level: 'silent' });
  const sending = env.run(createNotificationActivities({ config, db, secrets, logger, graph: graphClientFromConfig(config) }).sendNotification, {
    claimId,
  });
  try {
    await eventually(async () => beats.length > 0, 'a heartbeat while the pool is busy', 5_000);
  } finally {
    release();
    await transaction;
  }
  // The claim was never verified: the send ends without sending once the database answers.
  await expect(sending).resolves.toEqual({ notificationStatus: 'PENDING' });
});
