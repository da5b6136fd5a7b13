// Sends are paced by Temporal, per sending channel: the send activity runs on the
// send task queue with the channel's fairness key, and the queue's per-key rate limit
// (WHATSAPP_SEND_RATE, set by the worker at start) spaces one channel's sends out.
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';
import { tokens } from '../support/tokens.js';

const RATE = 2;
const CLAIMS = 8;

let provider: FakeWhatsappProvider;
let system: TestSystem;

beforeAll(async () => {
  provider = await startFakeWhatsappProvider({ apiKey: 'platform-provider-key' });
  system = await startTestSystem({
    env: { CLAIM_VERIFY_DELAY: '200ms', WHATSAPP_API_URL: provider.sendUrl, WHATSAPP_API_KEY: provider.apiKey, WHATSAPP_SEND_RATE: String(RATE) },
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await provider?.close();
});

test("one channel's sends go out at the queue's per-key rate, scheduled on the send queue with the channel as fairness key", async () => {
  const tenantId = await system.createTenant('pacing-a');
  // No channel of its own: the platform's provider, which a platform admin allows it to use.
  expect(
    (await system.request('PATCH', `/api/v1/tenants/${tenantId}`, { token: tokens.platformAdmin(), body: { platformWhatsappAllowed: true } })).status,
  ).toBe(200);
  const admin = tokens.tenantAdmin(tenantId);
  // The window is always open (start == end): every verified claim is sent at once, unless paced.
  const campaign = await system.request('POST', '/api/v1/campaigns', {
    token: admin,
    body: { name: 'Paced', notificationStartHour: 0, notificationEndHour: 0 },
  });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Follow', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' },
  });
  expect(task.status).toBe(201);
  const users = await Promise.all(
    Array.from({ length: CLAIMS }, (_, i) =>
      system.request('POST', '/api/v1/end-users', {
        token: admin,
        body: { name: `P${i}`, phone: `+5198711${String(i).padStart(4, '0')}`, whatsappOptIn: { source: 'test-fixture' } },
      }),
    ),
  );
  const claims = await Promise.all(
    users.map((user) => system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: tokens.endUser(tenantId, user.body.id), body: {} })),
  );
  expect(claims.map((claim) => claim.status)).toEqual(Array(CLAIMS).fill(202));

  await eventually(async () => provider.sent.length >= CLAIMS, 'every claim sent', 40_000);
  expect(provider.sent).toHaveLength(CLAIMS);
  // When the server handed each send to the worker (its ActivityTaskStarted time, on the server's
  // clock): the rate limit spaces these out, and a busy test process cannot bunch them up.
  const startedAt = await Promise.all(
    claims.map(async (claim) => {
      const events = (await system.deps.temporal.workflow.getHandle(claim.body.workflowId).fetchHistory()).events ?? [];
      const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendNotification');
      const started = events.find((event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId));
      return Number(started?.eventTime?.seconds ?? 0) * 1000 + Math.floor((started?.eventTime?.nanos ?? 0) / 1e6);
    }),
  );
  startedAt.sort((a, b) => a - b);
  // Unpaced, the eight sends start within a fraction of a second; at 2/s (allowing a burst of one
  // second's worth) they take at least (8 - 2) / 2 = 3 s.
  expect(startedAt[CLAIMS - 1]! - startedAt[0]!).toBeGreaterThanOrEqual(((CLAIMS - RATE) / RATE) * 1000 - 500);

  const history = await system.deps.temporal.workflow.getHandle(claims[0]!.body.workflowId).fetchHistory();
  const sends = (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    return scheduled?.activityType?.name === 'sendNotification' ? [scheduled] : [];
  });
  expect(sends).toHaveLength(1);
  expect(sends[0]!.taskQueue?.name).toBe(system.config.temporal.sendTaskQueue);
  expect(sends[0]!.priority?.fairnessKey).toBe(`platform:${tenantId}`);
}, 90_000);
