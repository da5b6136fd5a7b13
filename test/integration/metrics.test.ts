// /metrics on the API and the worker's metrics endpoint after real claims: the counters a claim
// moves really move, the Temporal SDK's own metrics are there, METRICS_TOKEN guards both, and no
// label carries a claim id or a phone number.
import { IDS, fixture, newWamid, postWebhook, waitForProcessed } from '../fixtures/meta-webhooks/helpers.js';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from '../support/eventually.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startWorkerMetricsServer, type WorkerMetricsServer } from '../../src/observability/worker-metrics-server.js';
import { installWorkerRuntime } from '../../src/worker/runtime.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { claimTask, newScenarioUser, settleClaim, setUpScenarioTenant, type ScenarioTenant } from '../support/factories.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123';

let provider: FakeWhatsappProvider;
let system: TestSystem;
let workerMetrics: WorkerMetricsServer;
let tenant: ScenarioTenant;

beforeAll(async () => {
  // Before anything creates the Temporal runtime in this process (the test helpers install a quiet
  // one otherwise): the worker runtime with the SDK's Prometheus exporter, as `npm run worker` does.
  const runtimeConfig = loadConfig({ ...BASE_TEST_ENV, WORKER_METRICS_PORT: '0' });
  const runtime = await installWorkerRuntime(runtimeConfig, createLogger({ level: 'silent' }));
  expect(runtime.temporalMetricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  workerMetrics = await startWorkerMetricsServer({
    port: 0,
    host: '127.0.0.1',
    token: METRICS_TOKEN,
    temporalMetricsUrl: runtime.temporalMetricsUrl,
  });

  provider = await startFakeWhatsappProvider({ apiKey: 'metrics-provider-key' });
  // Gauges recounted on every scrape here (the default reuses them for 15 s): the backlog test reads a change at once.
  system = await startTestSystem({ env: { METRICS_TOKEN, METRICS_GAUGE_REFRESH: '1ms' } });
  tenant = await setUpScenarioTenant(system, { slug: 'metrics-co', provider });
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await workerMetrics?.close();
  await provider?.close();
});

const scrapeApi = async () => (await system.request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text;

async function scrapeWorker(authorization?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${workerMetrics.port}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: response.status, text: await response.text() };
}

/** The value of one series, 0 when absent. `labels` must match the exposition's label order. */
function value(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, v]) => `${key}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    const present = labelText.split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('METRICS_TOKEN', () => {
  test('the API answers 401 without the token, or with another one', async () => {
    expect((await system.request('GET', '/metrics')).status).toBe(401);
    const wrong = await system.request('GET', '/metrics', { headers: { authorization: 'Bearer not-the-metrics-token' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
    expect(wrong.text).not.toContain('social_');
  });

  test('the worker endpoint answers 401 without the token, or with another one', async () => {
    expect((await scrapeWorker()).status).toBe(401);
    const wrong = await scrapeWorker('Bearer not-the-metrics-token');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('social_');
  });
});

test('a claim moves the claim, notification, outbound and HTTP counters, and the SDK metrics are served', async () => {
  const before = await scrapeApi();
  const user = await newScenarioUser(system, tenant);
  const claimId = await claimTask(system, user, tenant.taskId);
  await settleClaim(system, tenant, claimId, (view) => view.notification.status === 'SENT', 'the notification to be sent');
  // The row says SENT a moment before the send activity has returned to the worker.
  const sentCounted = (text: string) =>
    value(text, 'social_notifications_total', { channel: 'TENANT_PROVIDER', status: 'SENT' }) >
    value(before, 'social_notifications_total', { channel: 'TENANT_PROVIDER', status: 'SENT' });
  const after = await eventually(async () => {
    const text = await scrapeApi();
    return sentCounted(text) ? text : undefined;
  }, 'the send to be counted');

  const moved = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
  expect(moved('social_claim_workflow_starts_total', { result: 'accepted' })).toBe(1);
  expect(moved('social_claims_decided_total', { status: 'VERIFIED', method: 'HONOR_SYSTEM' })).toBe(1);
  expect(moved('social_notifications_total', { channel: 'TENANT_PROVIDER', status: 'SENT' })).toBe(1);
  expect(moved('social_outbound_requests_total', { service: 'whatsapp-provider', operation: 'send', outcome: 'ok', status_code: '200' })).toBe(1);
  expect(moved('social_outbound_request_duration_seconds_count', { service: 'whatsapp-provider', operation: 'send', outcome: 'ok' })).toBe(1);
  expect(moved('social_activities_total', { activity: 'sendNotification', outcome: 'completed' })).toBe(1);
  expect(moved('social_http_requests_total', { method: 'POST', route: '/api/v1/tasks/:taskId/claims', status_code: '202' })).toBe(1);

  // Ids and phone numbers never become labels.
  expect(after).not.toContain(claimId);
  expect(after).not.toContain(user.phone.slice(1));
  expect(after).not.toContain(tenant.id);

  const worker = await scrapeWorker(`Bearer ${METRICS_TOKEN}`);
  expect(worker.status).toBe(200);
  expect(value(worker.text, 'social_activities_total', { activity: 'sendNotification', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
  // The SDK's own worker metrics, from its Prometheus exporter.
  expect(worker.text).toMatch(/^temporal_\w+/m);
  expect(worker.text).not.toContain('Temporal SDK metrics unavailable');
});

test('the sweeper backlog counts claims whose workflow never started', async () => {
  const user = await newScenarioUser(system, tenant, 'Luz');
  // A claim recorded a minute ago whose start never got through (the process died in between).
  await system.deps.db.claim.create({
    data: {
      tenantId: tenant.id,
      campaignId: tenant.campaignId,
      taskId: tenant.taskId,
      userId: user.id,
      workflowId: 'claim-00000000-0000-4000-8000-000000000001',
      id: '00000000-0000-4000-8000-000000000001',
      claimedAt: new Date(Date.now() - 60_000),
    },
  });
  expect(value(await scrapeApi(), 'social_sweeper_backlog', { sweeper: 'claims' })).toBe(1);
  await system.deps.db.claim.update({
    where: { id: '00000000-0000-4000-8000-000000000001' },
    data: { workflowStartedAt: new Date() },
  });
  expect(value(await scrapeApi(), 'social_sweeper_backlog', { sweeper: 'claims' })).toBe(0);
});

test('webhook deliveries are counted by object type and signature result, their items by field and outcome', async () => {
  const before = await scrapeApi();
  const body = fixture('status-delivered', { [IDS.wamid]: newWamid() });
  expect((await postWebhook(system, body, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` })).status).toBe(401);
  expect((await postWebhook(system, body)).status).toBe(200);
  await waitForProcessed(system.deps.db, body);
  const after = await eventually(async () => {
    const text = await scrapeApi();
    return value(text, 'social_webhook_items_total', { field: 'messages', kind: 'status' }) >
      value(before, 'social_webhook_items_total', { field: 'messages', kind: 'status' })
      ? text
      : undefined;
  }, 'the webhook items to be counted');
  const moved = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
  expect(moved('social_webhook_deliveries_total', { object: 'unknown', signature: 'invalid', result: 'rejected' })).toBe(1);
  expect(moved('social_webhook_deliveries_total', { object: 'whatsapp_business_account', signature: 'valid', result: 'stored' })).toBe(1);
  expect(moved('social_webhook_items_total', { field: 'messages', kind: 'status' })).toBe(1);
});
