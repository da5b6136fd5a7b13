// Business metrics are counted by the code that writes each change (claim decisions, notification
// outcomes, token refreshes), once per change that took effect, so a repeat that finds the work done
// counts nothing; the worker's activity interceptor counts only attempts, durations and rate-limit
// waits, and reads no row. Real activities, a real database, fake providers over real HTTP.
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { createClaimActivities } from '../../activities/claims.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { createWhatsappTokenActivities } from '../../activities/whatsapp-tokens.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { observeActivities } from '../../src/observability/activity-observation.js';
import { metrics } from '../../src/observability/metrics.js';
import { temporalLoggerOver } from '../../src/observability/temporal-logger.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer, type FakeReply } from '../support/fake-http-server.js';
import { testConfig } from '../workflows/claim-support.js';
import { fakeMetaEnv, seedClaim, seedVerifiedClaim } from '../support/factories.js';

let database: TestDatabase;
let provider: FakeHttpServer;
let fakeMeta: FakeMeta;
const replies: FakeReply[] = [];
const logger = pino({ level: 'silent' });
const config = () => testConfig({ OUTBOUND_HTTP_TIMEOUT: '500ms', ...fakeMetaEnv(fakeMeta) });
const secrets = () => createSecretBox([config().tokenEncryptionKey]);
const deps = () => ({ config: config(), db: database.db, secrets: secrets(), logger, graph: graphClientFromConfig(config()) });

beforeAll(async () => {
  database = await createTestDatabase();
  provider = await startFakeHttpServer(() => replies.shift() ?? { body: { id: `msg-${provider.requests.length}` } });
  fakeMeta = await startFakeMeta({ appSecret: 'metrics-app-secret' });
});

afterAll(async () => {
  await provider?.close();
  await fakeMeta?.close();
  await database?.close();
});

async function count(metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string>) {
  const { values } = await metric.get();
  return values.filter((entry) => Object.entries(labels).every(([key, v]) => entry.labels[key] === v)).reduce((sum, entry) => sum + entry.value, 0);
}

/** Runs `fn` as an activity attempt through the worker's observation interceptor. */
function run<T>(activityType: string, workflowId: string, fn: () => Promise<T>): Promise<T> {
  const env = new MockActivityEnvironment(
    { activityType, workflowExecution: { workflowId, runId: 'run-1' } },
    // The mock environment logs failed activities; these failures are the point of the test.
    { interceptors: [observeActivities(logger)], logger: temporalLoggerOver(logger, 'ERROR') },
  );
  return env.run(fn);
}

const verifiedClaim = (options: Parameters<typeof seedClaim>[2] = {}) => seedVerifiedClaim(database.db, secrets(), options);

test('a notification reaching UNKNOWN is counted once, with its channel; a repeat that finds it done counts nothing', async () => {
  const { claimId } = await verifiedClaim({ providerUrl: `${provider.url}/tenant/send` });
  const labels = { channel: 'TENANT_PROVIDER', status: 'UNKNOWN' };
  const before = await count(metrics.notifications, labels);
  // The reply outlives the send's timeout: it may have gone out, so UNKNOWN, never resent.
  replies.push({ delayMs: 1_500, body: { id: 'late' } });
  const send = () => run('sendNotification', `claim-${claimId}`, () => createNotificationActivities(deps()).sendNotification({ claimId }));
  expect((await send()).notificationStatus).toBe('UNKNOWN');
  expect(await count(metrics.notifications, labels)).toBe(before + 1);
  expect((await send()).notificationStatus).toBe('UNKNOWN');
  expect(await count(metrics.notifications, labels)).toBe(before + 1);
});

test('a sent notification is counted SENT with its channel, once', async () => {
  const { claimId } = await verifiedClaim({ providerUrl: `${provider.url}/tenant/send` });
  const labels = { channel: 'TENANT_PROVIDER', status: 'SENT' };
  const before = await count(metrics.notifications, labels);
  const send = () => createNotificationActivities(deps()).sendNotification({ claimId });
  expect((await send()).notificationStatus).toBe('SENT');
  expect((await send()).notificationStatus).toBe('SENT');
  expect(await count(metrics.notifications, labels)).toBe(before + 1);
});

test('a held notification is counted each time it is held; a claim decided FAILED counts as a claim, not a notification', async () => {
  const claim = await verifiedClaim();
  const account = await database.db.whatsappAccount.create({
    data: { tenantId: claim.tenantId, wabaId: `waba-${claim.claimId}`, phoneNumberId: `pn-${claim.claimId}`, status: 'NEEDS_REAUTH' },
  });
  await database.db.campaign.update({ where: { id: claim.campaignId }, data: { whatsappAccountId: account.id } });
  const held = { channel: 'NONE', status: 'HELD' };
  const heldBefore = await count(metrics.notifications, held);
  const activities = createNotificationActivities(deps());
  const plan = await activities.planNotification({
    claimId: claim.claimId,
    now: new Date().toISOString(),
    ignoreWindow: true,
    maxDelayMs: 3_600_000,
  });
  expect(plan.action).toBe('hold');
  expect((await activities.sendNotification({ claimId: claim.claimId })).held).toBe(true);
  expect(await count(metrics.notifications, held)).toBe(heldBefore + 2);

  const { claimId: rejected } = await seedClaim(database.db, secrets());
  const failedBefore = await count(metrics.claimsDecided, { status: 'FAILED', method: 'MANUAL' });
  const skippedBefore = await count(metrics.notifications, { status: 'SKIPPED' });
  const decide = () =>
    createClaimActivities({ db: database.db }).completeVerification(
      rejected,
      { kind: 'decided', verified: false, method: 'MANUAL' },
      new Date().toISOString(),
    );
  expect((await decide()).notificationStatus).toBe('SKIPPED');
  await decide();
  expect(await count(metrics.claimsDecided, { status: 'FAILED', method: 'MANUAL' })).toBe(failedBefore + 1);
  expect(await count(metrics.notifications, { status: 'SKIPPED' })).toBe(skippedBefore);
});

test('token refresh results and failures, and rate-limited attempts with their wait', async () => {
  const refreshed = await count(metrics.tokenRefreshes, { result: 'needs_reauth' });
  const errors = await count(metrics.tokenRefreshes, { result: 'error' });
  const { tenantId } = await seedClaim(database.db, secrets());
  // A token Meta does not know: debug_token calls it invalid, so the account needs reconnecting.
  const account = await database.db.whatsappAccount.create({
    data: { tenantId, wabaId: 'waba-refresh', phoneNumberId: 'pn-refresh', status: 'ACTIVE', accessToken: secrets().seal('token-meta-never-issued') },
  });
  // The schedule calls are not reached on these paths; a client that is never used.
  const tokenActivities = (graphUrl?: string) => {
    const settings = graphUrl ? testConfig({ OUTBOUND_HTTP_TIMEOUT: '500ms', ...fakeMetaEnv(fakeMeta), META_GRAPH_BASE_URL: graphUrl }) : config();
    return createWhatsappTokenActivities({ ...deps(), config: settings, graph: graphClientFromConfig(settings), temporal: {} as Client });
  };
  expect((await tokenActivities().refreshWhatsappAccountToken({ accountId: account.id })).result).toBe('needs_reauth');
  await database.db.whatsappAccount.update({ where: { id: account.id }, data: { status: 'ACTIVE' } });
  // Meta unreachable: the run throws (Temporal retries it) and counts as an error.
  await expect(tokenActivities('http://127.0.0.1:9').refreshWhatsappAccountToken({ accountId: account.id })).rejects.toThrow();
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
