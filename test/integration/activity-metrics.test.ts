// The worker's activity interceptor counts claim outcomes from what an activity changed in the
// completion row, and token refreshes and rate-limit waits from results and failures. Activities
// run in Temporal's MockActivityEnvironment with the real interceptor and a real database.
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { observeActivities } from '../../src/observability/activity-observation.js';
import { metrics } from '../../src/observability/metrics.js';
import { temporalLoggerOver } from '../../src/observability/temporal-logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_ENCRYPTION_KEY } from '../support/tokens.js';
import { seedClaim } from '../workflows/claim-support.js';

let database: TestDatabase;
const secrets = createSecretBox([Buffer.from(TEST_ENCRYPTION_KEY, 'base64')]);

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.close();
});

async function count(metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string>) {
  const { values } = await metric.get();
  return values.filter((entry) => Object.entries(labels).every(([key, v]) => entry.labels[key] === v)).reduce((sum, entry) => sum + entry.value, 0);
}

function run<T>(activityType: string, workflowId: string, fn: () => Promise<T>): Promise<T> {
  const env = new MockActivityEnvironment(
    { activityType, workflowExecution: { workflowId, runId: 'run-1' } },
    // The mock environment logs failed activities; these failures are the point of the test.
    { interceptors: [observeActivities(database.db, pino({ level: 'silent' }))], logger: temporalLoggerOver(pino({ level: 'silent' }), 'ERROR') },
  );
  return env.run(fn);
}

async function verifiedClaim(): Promise<string> {
  const { completionId } = await seedClaim(database.db, secrets, { providerUrl: 'http://127.0.0.1:9/send' });
  await database.db.socialTaskCompletion.update({
    where: { id: completionId },
    data: { status: 'VERIFIED', verificationMethod: 'HONOR_SYSTEM', verifiedAt: new Date() },
  });
  return completionId;
}

test('a notification reaching UNKNOWN is counted once, with its channel; a repeat that finds it done counts nothing', async () => {
  const completionId = await verifiedClaim();
  const labels = { channel: 'TENANT_PROVIDER', status: 'UNKNOWN' };
  const before = await count(metrics.notifications, labels);
  const markUnknown = async () => {
    await database.db.socialTaskCompletion.updateMany({
      where: { id: completionId, notificationStatus: 'PENDING' },
      data: { notificationStatus: 'UNKNOWN', notificationChannel: 'TENANT_PROVIDER' },
    });
    return { notificationStatus: 'UNKNOWN' };
  };
  await run('sendNotification', `claim-${completionId}`, markUnknown);
  expect(await count(metrics.notifications, labels)).toBe(before + 1);
  await run('sendNotification', `claim-${completionId}`, markUnknown);
  expect(await count(metrics.notifications, labels)).toBe(before + 1);
});

test('a held notification is counted each time it is held; a claim decided FAILED counts as a claim, not a notification', async () => {
  const completionId = await verifiedClaim();
  const held = { channel: 'NONE', status: 'HELD' };
  const heldBefore = await count(metrics.notifications, held);
  await run('planNotification', `claim-${completionId}`, async () => ({ action: 'hold', notificationStatus: 'PENDING', reason: 'reconnect' }));
  await run('sendNotification', `claim-${completionId}`, async () => ({ notificationStatus: 'PENDING', held: true }));
  expect(await count(metrics.notifications, held)).toBe(heldBefore + 2);

  const { completionId: rejected } = await seedClaim(database.db, secrets);
  const failedBefore = await count(metrics.claimsDecided, { status: 'FAILED', method: 'MANUAL' });
  const skippedBefore = await count(metrics.notifications, { status: 'SKIPPED' });
  await run('completeVerification', `claim-${rejected}`, async () => {
    await database.db.socialTaskCompletion.update({
      where: { id: rejected },
      data: { status: 'FAILED', verificationMethod: 'MANUAL', notificationStatus: 'SKIPPED' },
    });
    return {};
  });
  expect(await count(metrics.claimsDecided, { status: 'FAILED', method: 'MANUAL' })).toBe(failedBefore + 1);
  expect(await count(metrics.notifications, { status: 'SKIPPED' })).toBe(skippedBefore);
});

test('token refresh results and failures, and rate-limited attempts with their wait', async () => {
  const refreshed = await count(metrics.tokenRefreshes, { result: 'needs_reauth' });
  const errors = await count(metrics.tokenRefreshes, { result: 'error' });
  await run('refreshWhatsappAccountToken', 'whatsapp-token-refresh-a1', async () => ({
    accountId: 'a1',
    result: 'needs_reauth',
    tokenExpiresAt: null,
  }));
  await expect(
    run('refreshWhatsappAccountToken', 'whatsapp-token-refresh-a1', async () => {
      throw new Error('database unavailable');
    }),
  ).rejects.toThrow('database unavailable');
  expect(await count(metrics.tokenRefreshes, { result: 'needs_reauth' })).toBe(refreshed + 1);
  expect(await count(metrics.tokenRefreshes, { result: 'error' })).toBe(errors + 1);

  const waits = await count(metrics.rateLimitWaits, { activity: 'verifyWithMeta' });
  await expect(
    run('verifyWithMeta', 'claim-not-a-uuid', async () => {
      throw ApplicationFailure.create({ type: 'RateLimited', message: 'Meta code 4', nextRetryDelay: 90_000 });
    }),
  ).rejects.toThrow('Meta code 4');
  expect(await count(metrics.rateLimitWaits, { activity: 'verifyWithMeta' })).toBe(waits + 1);
  const { values } = await metrics.rateLimitWaitSeconds.get();
  expect(values.find((entry) => entry.labels.activity === 'verifyWithMeta' && entry.metricName?.endsWith('_sum'))?.value).toBeGreaterThanOrEqual(90);
});
