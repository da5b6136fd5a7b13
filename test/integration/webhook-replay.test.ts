// A platform admin's handling of failed Meta deliveries: listed, replayed (a new run applies what
// the delivery holds, once) or discarded (then pruned by retention like any processed delivery).
// Real API, worker and Temporal dev server.
import { randomUUID } from 'node:crypto';
import { createRetentionActivities } from '../../activities/retention.js';
import { dedupeKeyOf, fixture, IDS, newWamid } from '../fixtures/meta-webhooks/helpers.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedEndUser, seedNotification, seedTenant } from '../support/factories.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

const db = () => system.deps.db;
const admin = () => tokens.platformAdmin();

/** A stored delivery (a status for `wamid`) whose processing failed. */
async function failedDelivery(wamid: string) {
  const body = fixture('status-delivered', { [IDS.wamid]: wamid, [IDS.claimPlaceholder]: 'not-ours' });
  return db().webhookEvent.create({
    data: {
      dedupeKey: dedupeKeyOf(body),
      object: 'whatsapp_business_account',
      payload: JSON.parse(body),
      receivedAt: new Date(Date.now() - 7_200_000),
      failedAt: new Date(Date.now() - 3_600_000),
      processingError: 'processing gave up: the bug of the day',
    },
  });
}

test('a failed delivery is listed, and a replay applies it once', async () => {
  const tenant = await seedTenant(db());
  const user = await seedEndUser(db(), tenant.id, `+1650${Math.floor(1_000_000 + Math.random() * 8_999_999)}`);
  const wamid = newWamid();
  const notification = await seedNotification(db(), { tenantId: tenant.id, userId: user.id, notificationStatus: 'SENT', providerMessageId: wamid });
  const event = await failedDelivery(wamid);

  const listed = await system.request('GET', '/api/v1/platform/webhook-events/failed?limit=100', { token: admin() });
  expect(listed.status).toBe(200);
  expect(listed.body.items).toContainEqual(
    expect.objectContaining({ id: event.id, error: 'processing gave up: the bug of the day', processedAt: null }),
  );
  expect(JSON.stringify(listed.body)).not.toContain(wamid);

  const replayed = await system.request('POST', `/api/v1/platform/webhook-events/${event.id}/replay`, { token: admin() });
  expect(replayed.status).toBe(202);
  expect(replayed.body).toMatchObject({ id: event.id, failedAt: null });
  const processed = await eventually(async () => {
    const row = await db().webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    return row.processedAt ? row : undefined;
  }, 'the replayed delivery processed');
  expect(processed).toMatchObject({ failedAt: null, processingError: null, discardedAt: null });
  expect(await db().claim.findUniqueOrThrow({ where: { id: notification.id } })).toMatchObject({ notificationStatus: 'DELIVERED' });

  // Processed now: not failed, so neither replayed again nor discarded.
  const again = await system.request('POST', `/api/v1/platform/webhook-events/${event.id}/replay`, { token: admin() });
  expect(again.status).toBe(409);
  expect((await system.request('POST', `/api/v1/platform/webhook-events/${event.id}/discard`, { token: admin() })).status).toBe(409);
}, 60_000);

test('a discarded delivery is marked processed and later pruned by retention', async () => {
  const event = await failedDelivery(newWamid());
  const discarded = await system.request('POST', `/api/v1/platform/webhook-events/${event.id}/discard`, { token: admin() });
  expect(discarded.status).toBe(200);
  expect(discarded.body).toMatchObject({ id: event.id, error: 'processing gave up: the bug of the day' });
  expect(discarded.body.discardedAt).not.toBeNull();
  expect(discarded.body.processedAt).not.toBeNull();

  const later = new Date(Date.now() + 31 * 86_400_000).toISOString();
  await createRetentionActivities({ db: db() }).pruneRetainedRows({ retentionDays: 30, now: later });
  expect(await db().webhookEvent.count({ where: { id: event.id } })).toBe(0);
});

test('only a platform admin may replay or discard; an unknown delivery is 404', async () => {
  const event = await failedDelivery(newWamid());
  const tenantAdmin = tokens.tenantAdmin((await seedTenant(db())).id);
  for (const action of ['replay', 'discard']) {
    expect((await system.request('POST', `/api/v1/platform/webhook-events/${event.id}/${action}`, { token: tenantAdmin })).status).toBe(403);
    expect((await system.request('POST', `/api/v1/platform/webhook-events/${randomUUID()}/${action}`, { token: admin() })).status).toBe(404);
  }
  expect((await db().webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).failedAt).not.toBeNull();
});
