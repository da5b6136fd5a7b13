// Signed event webhooks to the tenant through the HTTP API, on the real worker: the settings keep
// the secret write-only; claim and notification events reach the receiver signed, with an id, in
// order per claim, retried after failures; a 410 disables the webhook (the settings say so) and what
// did not arrive is listed and can be redelivered. Only ids are in the delivery workflows' histories.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startFakeWhatsappProvider, type FakeWhatsappProvider } from '../fakes/fake-whatsapp-provider.js';
import { startTenantEventSweeper } from '../../src/tenant-events/event-starter.js';
import { eventually } from '../support/eventually.js';
import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest } from '../support/fake-http-server.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedCampaign, seedTask } from '../support/factories.js';

const SECRET = 'whsec-tenant-events-0123456789abcdef';
let system: TestSystem;
let provider: FakeWhatsappProvider;
let receiver: FakeHttpServer;
let sweeper: { stop(): void };
let tenantId: string;
let admin: string;
/** Status codes the receiver answers next, in order; 200 once empty. */
const script: number[] = [];

beforeAll(async () => {
  provider = await startFakeWhatsappProvider({ apiKey: 'events-provider-key' });
  receiver = await startFakeHttpServer(() => ({ status: script.shift() ?? 200, body: { ok: true } }));
  system = await startTestSystem({ env: { CLAIM_VERIFY_DELAY: '500ms' } });
  sweeper = startTenantEventSweeper(system.deps, { intervalMs: 200 });
  tenantId = await system.createTenant('events-a');
  admin = tokens.tenantAdmin(tenantId);
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: {
      waConfig: { apiUrl: provider.sendUrl, apiKey: provider.apiKey, sender: 'Events' },
      eventsWebhook: { url: `${receiver.url}/hooks`, secret: SECRET },
    },
  });
  expect(settings.status).toBe(200);
}, 120_000);

afterAll(async () => {
  sweeper?.stop();
  await system?.stop();
  await provider?.close();
  await receiver?.close();
});

/** What the receiver answered each request, by index (recorded by the handler's script order). */

function signatureValid(request: RecordedRequest): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(request.rawBody).digest('hex')}`);
  const got = Buffer.from(String(request.headers['x-signature-256']));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const eventsOf = (claimId: string) =>
  receiver.requests
    .map((request) => JSON.parse(request.rawBody) as { id: string; type: string; data: { claimId: string } })
    .filter((body) => body.data.claimId === claimId);

async function claimAs(name: string, phone: string, taskId: string) {
  const user = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name, phone, whatsappOptIn: { source: 'test' } } });
  expect(user.status).toBe(201);
  const claim = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: tokens.endUser(tenantId, user.body.id), body: {} });
  expect(claim.status).toBe(202);
  return claim.body.completionId as string;
}

test('the settings show the webhook with its secret masked; a first webhook needs a secret', async () => {
  const settings = await system.request('GET', '/api/v1/tenant/settings', { token: admin });
  expect(settings.body.eventsWebhook).toEqual({
    url: `${receiver.url}/hooks`,
    secret: { configured: true, masked: expect.any(String) },
    disabled: null,
  });
  expect(settings.text).not.toContain(SECRET);
  const other = tokens.tenantAdmin(await system.createTenant('events-b'));
  const refused = await system.request('PUT', '/api/v1/tenant/settings', { token: other, body: { eventsWebhook: { url: `${receiver.url}/b` } } });
  expect(refused.status).toBe(422);
  const notHttp = await system.request('PUT', '/api/v1/tenant/settings', {
    token: other,
    body: { eventsWebhook: { url: 'ftp://example.com/x', secret: SECRET } },
  });
  expect(notHttp.status).toBe(422);
});

test('a claim’s events arrive signed, with an id, in order, and after a receiver failure', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId, { notificationStartHour: 0, notificationEndHour: 0 });
  const task = await seedTask(system.deps.db, tenantId, campaign.id, { verificationStrategy: 'HONOR_SYSTEM', spinsReward: 2 });
  // The receiver is down for the first attempt: the event is retried (backoff), and the next event waits for it.
  script.push(503);
  const claimId = await claimAs('Eve Events', '+5120001111', task.id);
  await eventually(async () => provider.sent.length > 0 && true, 'the notification sent');
  // Meta reports the message delivered, then read (as the status webhook writes them).
  await eventually(async () => (await system.deps.db.tenantEvent.count({ where: { claimId, status: 'DELIVERED' } })) === 2, 'two events delivered');
  await system.deps.db.claim.update({ where: { id: claimId }, data: { notificationStatus: 'DELIVERED' } });
  await system.deps.db.claim.update({ where: { id: claimId }, data: { notificationStatus: 'READ' } });
  await eventually(async () => (await system.deps.db.tenantEvent.count({ where: { claimId, status: 'DELIVERED' } })) === 4, 'four events delivered');

  const requests = receiver.requests.filter((request) => (JSON.parse(request.rawBody) as { data: { claimId: string } }).data.claimId === claimId);
  // The first request was refused (503) and retried with the same bytes; nothing overtook it.
  expect(requests[0]!.rawBody).toBe(requests[1]!.rawBody);
  const types = eventsOf(claimId).map((event) => event.type);
  expect(types).toEqual(['claim.verified', 'claim.verified', 'notification.sent', 'notification.delivered', 'notification.read']);
  for (const request of requests) {
    expect(signatureValid(request)).toBe(true);
    const body = JSON.parse(request.rawBody);
    expect(request.headers['x-event-id']).toBe(body.id);
    expect(request.headers['x-event-type']).toBe(body.type);
    expect(body).toMatchObject({ id: expect.any(String), occurredAt: expect.any(String), data: { claimId, status: 'VERIFIED', spinsAwarded: 2 } });
    // Ids only: no name, no phone.
    expect(request.rawBody).not.toContain('Eve Events');
    expect(request.rawBody).not.toContain('20001111');
  }
  // A different id per event; the retried one kept its id.
  expect(new Set(eventsOf(claimId).map((event) => event.id)).size).toBe(4);
  const listed = await system.request('GET', '/api/v1/tenant/event-deliveries?status=delivered', { token: admin });
  expect(listed.body.items.filter((item: any) => item.claimId === claimId)).toHaveLength(4);
  expect(listed.body.items.find((item: any) => item.type === 'claim.verified' && item.claimId === claimId).attempts).toBe(2);
});

test('a 410 disables the webhook; what did not arrive is listed as failed and is redelivered once the webhook is fixed', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId, { notificationStartHour: 0, notificationEndHour: 0 });
  const task = await seedTask(system.deps.db, tenantId, campaign.id, { verificationStrategy: 'HONOR_SYSTEM', spinsReward: 1 });
  script.push(410);
  const claimId = await claimAs('Gone Gus', '+5120002222', task.id);
  await eventually(
    async () => (await system.request('GET', '/api/v1/tenant/settings', { token: admin })).body.eventsWebhook.disabled,
    'the webhook disabled',
  );
  const settings = await system.request('GET', '/api/v1/tenant/settings', { token: admin });
  expect(settings.body.eventsWebhook.disabled).toEqual({ at: expect.any(String), reason: 'the receiver answered 410 Gone' });
  await eventually(async () => (await system.deps.db.tenantEvent.count({ where: { claimId, status: 'FAILED' } })) >= 2, 'the claim’s events failed');
  const failed = await system.request('GET', '/api/v1/tenant/event-deliveries?status=failed', { token: admin });
  const ours = failed.body.items.filter((item: any) => item.claimId === claimId);
  expect(ours.map((item: any) => item.type).sort()).toEqual(['claim.verified', 'notification.sent']);
  const verified = ours.find((item: any) => item.type === 'claim.verified');
  expect(verified).toMatchObject({ status: 'failed', lastStatusCode: 410 });

  // Redelivery waits for a working webhook; writing the webhook again (same URL, stored secret kept) enables it.
  expect((await system.request('POST', `/api/v1/tenant/event-deliveries/${verified.id}/redeliver`, { token: admin })).status).toBe(409);
  const fixed = await system.request('PUT', '/api/v1/tenant/settings', { token: admin, body: { eventsWebhook: { url: `${receiver.url}/hooks` } } });
  expect(fixed.body.eventsWebhook.disabled).toBeNull();
  for (const item of [...ours].sort((a: any, b: any) => (a.type < b.type ? -1 : 1))) {
    const redelivered = await system.request('POST', `/api/v1/tenant/event-deliveries/${item.id}/redeliver`, { token: admin });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ id: item.id, status: 'pending', redeliveries: 1 });
  }
  await eventually(async () => (await system.deps.db.tenantEvent.count({ where: { claimId, status: 'DELIVERED' } })) === 2, 'redelivered');
  const arrived = eventsOf(claimId).filter((event, index, all) => all.findIndex((other) => other.id === event.id) === index);
  expect(arrived.map((event) => event.id).sort()).toEqual(ours.map((item: any) => item.id).sort());
  // Another tenant cannot see or redeliver them.
  const stranger = tokens.tenantAdmin(await system.createTenant('events-c'));
  expect((await system.request('POST', `/api/v1/tenant/event-deliveries/${verified.id}/redeliver`, { token: stranger })).status).toBe(404);
  expect((await system.request('GET', '/api/v1/tenant/event-deliveries', { token: stranger })).body.items).toEqual([]);
});

test('delivery workflows carry ids only: no secret, URL or phone number in their histories', async () => {
  // Every event's current round started (the sweeper starts them within a moment), so each has a history to read.
  const events = await eventually(async () => {
    const rows = await system.deps.db.tenantEvent.findMany({ where: { tenantId } });
    return rows.length > 0 && rows.every((row) => row.workflowStartedAt !== null) ? rows : undefined;
  }, 'every event workflow started');
  let read = 0;
  for (const event of events) {
    for (let round = 0; round <= event.deliveryRound; round++) {
      let history: string;
      try {
        history = JSON.stringify(await system.deps.temporal.workflow.getHandle(`tenant-event-${event.id}-${round}`).fetchHistory());
      } catch (error) {
        // An earlier round may never have started (its destination was disabled before the
        // sweeper reached it, then redelivered); the current round has (checked above).
        if (error instanceof WorkflowNotFoundError && round < event.deliveryRound) continue;
        throw error;
      }
      read += 1;
      for (const planted of [SECRET, receiver.url, '20001111', '20002222', 'Eve Events']) expect(history.includes(planted)).toBe(false);
    }
  }
  expect(read).toBeGreaterThanOrEqual(events.length);
});
