// One claim, one trace: the HTTP request that claims, the workflow it starts, the activities, and
// the provider request, exported into an in-memory exporter. The spans carry no secret and no phone
// number, and every log line of the request and of the activities it causes carries the same trace
// id and the claim id.
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Writable } from 'node:stream';
import { IDS, fixture, postWebhook, waitForProcessed } from '../fixtures/meta-webhooks/helpers.js';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/tokens.js';
import { appSecretProof } from '../../src/integrations/meta/appsecret-proof.js';
import { createGraphClient } from '../../src/integrations/meta/graph-client.js';
import { createLogger } from '../../src/logger.js';
import { setupTracing, type Tracing } from '../../src/observability/tracing.js';
import { claimTask, newScenarioUser, settleClaim, setUpScenarioTenant, type ScenarioTenant, type ScenarioUser } from '../support/factories.js';

const PROVIDER_KEY = 'tracing-provider-key-0123456789';

const exporter = new InMemorySpanExporter();
const logLines: Record<string, unknown>[] = [];
let tracing: Tracing;
let provider: FakeWhatsappProvider;
let system: TestSystem;
let tenant: ScenarioTenant;
let user: ScenarioUser;
let completionId: string;

beforeAll(async () => {
  // Before the system: the worker's workflow-span sink and the client interceptors use it.
  tracing = setupTracing({ serviceName: 'tracing-test', exporter });
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  provider = await startFakeWhatsappProvider({ apiKey: PROVIDER_KEY });
  system = await startTestSystem({ logger: createLogger({ level: 'debug', destination }) });
  tenant = await setUpScenarioTenant(system, { slug: 'tracing-co', provider });
  user = await newScenarioUser(system, tenant);

  exporter.reset();
  completionId = await claimTask(system, user, tenant.taskId);
  await settleClaim(system, tenant, completionId, (view) => view.notification.status === 'SENT', 'the notification to be sent');
  // The workflow span ends when the workflow completes, a moment after the row says SENT.
  await eventually(async () => exporter.getFinishedSpans().some((span) => span.name === 'RunWorkflow:verifySocialTaskClaim'), 'the workflow span');
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
  await tracing?.shutdown();
});

function claimRequestSpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((span) => span.name === 'POST /api/v1/tasks/:taskId/claims');
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

/** The one child of `parent` named `name`. */
function child(parent: ReadableSpan, name: string): ReadableSpan {
  const children = exporter.getFinishedSpans().filter((span) => span.parentSpanId === parent.spanContext().spanId && span.name === name);
  if (children.length !== 1) {
    const names = exporter
      .getFinishedSpans()
      .filter((span) => span.parentSpanId === parent.spanContext().spanId)
      .map((span) => span.name);
    throw new Error(`expected one "${name}" under "${parent.name}", found ${children.length}; its children: ${names.join(', ')}`);
  }
  return children[0]!;
}

test('one trace runs from POST /claims through the workflow and its activities to the provider request', () => {
  const request = claimRequestSpan();
  expect(request.kind).toBe(SpanKind.SERVER);
  expect(request.attributes).toMatchObject({
    'http.route': '/api/v1/tasks/:taskId/claims',
    'http.response.status_code': 202,
    'social.completion_id': completionId,
  });

  const start = child(request, 'StartWorkflow:verifySocialTaskClaim');
  const run = child(start, 'RunWorkflow:verifySocialTaskClaim');
  // The honor-system claim's load, record and plan: one local activity, traced like any activity.
  child(child(run, 'StartActivity:verifyAndPlan'), 'RunActivity:verifyAndPlan');
  const send = child(child(run, 'StartActivity:sendNotification'), 'RunActivity:sendNotification');
  const providerCall = child(send, 'POST whatsapp-provider send');
  expect(providerCall.kind).toBe(SpanKind.CLIENT);
  expect(providerCall.attributes).toMatchObject({ 'http.response.status_code': 200, 'server.address': '127.0.0.1' });

  const traceIds = new Set([request, start, run, send, providerCall].map((span) => span.spanContext().traceId));
  expect(traceIds.size).toBe(1);
});

test('no span carries a secret or a phone number', () => {
  const spans = exporter.getFinishedSpans();
  expect(spans.length).toBeGreaterThan(10);
  const recorded = JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));
  // Not vacuous: the attributes are there.
  expect(recorded).toContain(completionId);
  for (const secret of [PROVIDER_KEY, TEST_JWT_SECRET, TEST_ENCRYPTION_KEY, user.token, tenant.adminToken, user.phone, user.phone.slice(1)]) {
    expect(recorded).not.toContain(secret);
  }
  expect(recorded).not.toMatch(/bearer/i);
});

test('the request and the activities it causes log with the same trace id and the completion id', () => {
  const traceId = claimRequestSpan().spanContext().traceId;
  const requestLine = logLines.find((line) => line.msg === 'request' && line.method === 'POST' && String(line.path).endsWith('/claims'));
  expect(requestLine).toMatchObject({ traceId, completionId });

  const activityLines = logLines.filter((line) => line.msg === 'activity completed' && line.workflowId === `claim-${completionId}`);
  expect(activityLines.map((line) => line.activity)).toEqual(expect.arrayContaining(['verifyAndPlan', 'sendNotification']));
  for (const line of activityLines) expect(line).toMatchObject({ traceId, completionId });
  // Nothing secret in any line either.
  const logged = JSON.stringify(logLines);
  for (const secret of [PROVIDER_KEY, user.token, user.phone.slice(1)]) expect(logged).not.toContain(secret);
});

test('a Graph call is traced by its operation only: no token, appsecret_proof or ids in the span', async () => {
  const token = 'EAAG-graph-token-for-the-span-test';
  const graph = createGraphClient({ baseUrl: provider.url, version: 'v26.0', appId: 'app', appSecret: 'graph-app-secret-123', timeoutMs: 2_000 });
  exporter.reset();
  // The fake answers any path; the answer itself does not matter here.
  await graph.get('/17841400000000001/comments', { fields: 'id,text' }, token).catch(() => undefined);
  const [span] = exporter.getFinishedSpans();
  expect(span).toMatchObject({ name: 'GET meta /{id}/comments', kind: SpanKind.CLIENT });
  const recorded = JSON.stringify({ name: span!.name, attributes: span!.attributes, events: span!.events });
  for (const secret of [token, appSecretProof(token, 'graph-app-secret-123'), 'graph-app-secret-123', '17841400000000001']) {
    expect(recorded).not.toContain(secret);
  }
});

test('one trace runs from POST /webhooks/meta through its workflow to the status update', async () => {
  const view = (await system.request('GET', `/api/v1/completions/${completionId}`, { token: tenant.adminToken })).body;
  const body = fixture('status-delivered', { [IDS.wamid]: view.notification.providerMessageId, [IDS.claimPlaceholder]: completionId });
  exporter.reset();
  expect((await postWebhook(system, body)).status).toBe(200);
  await waitForProcessed(system.deps.db, body);
  await eventually(
    async () => exporter.getFinishedSpans().some((span) => span.name === 'RunWorkflow:processMetaWebhook'),
    'the webhook workflow span',
  );

  const [request] = exporter.getFinishedSpans().filter((span) => span.name === 'POST /webhooks/meta');
  expect(request?.kind).toBe(SpanKind.SERVER);
  const run = child(child(request!, 'StartWorkflow:processMetaWebhook'), 'RunWorkflow:processMetaWebhook');
  const apply = child(child(run, 'StartActivity:applyWebhookChanges'), 'RunActivity:applyWebhookChanges');
  expect(apply.spanContext().traceId).toBe(request!.spanContext().traceId);
  // The recipient's number is in the delivery; it stays out of the spans.
  expect(JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes))).not.toContain(IDS.senderWaId);
});
