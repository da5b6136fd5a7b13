// What Meta charges for a notification: pricing.category and billable from the status webhooks
// (Meta's own example payload) are kept on the notification, whichever status carries them and in
// whatever order statuses arrive, and shown on the tenant's claim view (not the end user's).
import { applyMessagesChange } from '../../src/webhooks/apply-messages-change.js';
import { fixture, IDS } from '../fixtures/meta-webhooks/helpers.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedEndUser, seedNotification, seedTenant } from '../support/factories.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
});

afterAll(async () => {
  await system?.stop();
});

const changeOf = (name: string, wamid: string) =>
  (JSON.parse(fixture(name, { [IDS.wamid]: wamid })) as { entry: { changes: { value: unknown }[] }[] }).entry[0]!.changes[0]!.value;

test('the delivered status carries pricing: category and billable land on the notification and the completion view; a later read without pricing keeps them', async () => {
  const db = system.deps.db;
  const tenant = await seedTenant(db);
  const user = await seedEndUser(db, tenant.id, '+16505559876');
  const wamid = `wamid.pricing-${Date.now()}`;
  const row = await seedNotification(db, { tenantId: tenant.id, userId: user.id, notificationStatus: 'SENT', providerMessageId: wamid });

  await applyMessagesChange(db, changeOf('status-delivered', wamid), { webhookEventId: 'pricing-test', now: new Date() });
  await applyMessagesChange(db, changeOf('status-read', wamid), { webhookEventId: 'pricing-test-2', now: new Date() });

  expect(await db.claim.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
    notificationStatus: 'READ',
    notificationPricingCategory: 'utility',
    notificationBillable: true,
  });
  const view = await system.request('GET', `/api/v1/completions/${row.id}`, { token: tokens.tenantAdmin(tenant.id) });
  expect(view.body.notification).toMatchObject({ status: 'READ', pricingCategory: 'utility', billable: true });
  const own = await system.request('GET', `/api/v1/claims/${row.id}`, { token: tokens.endUser(tenant.id, user.id) });
  expect(own.status).toBe(200);
  expect(own.body.notification).toMatchObject({ pricingCategory: null, billable: null });
});

test("the end user's own view carries notification.reason (our code), never Meta's words", async () => {
  const db = system.deps.db;
  const tenant = await seedTenant(db);
  const user = await seedEndUser(db, tenant.id, '+16505559877');
  const row = await seedNotification(db, {
    tenantId: tenant.id,
    userId: user.id,
    notificationStatus: 'FAILED',
    notificationError: '131050: Unable to deliver the message',
  });
  await db.claim.update({ where: { id: row.id }, data: { notificationReason: 'OPTED_OUT' } });
  const own = await system.request('GET', `/api/v1/claims/${row.id}`, { token: tokens.endUser(tenant.id, user.id) });
  expect(own.status).toBe(200);
  expect(own.body.notification).toMatchObject({ status: 'FAILED', reason: 'OPTED_OUT', error: null });
  const admin = await system.request('GET', `/api/v1/completions/${row.id}`, { token: tokens.tenantAdmin(tenant.id) });
  expect(admin.body.notification).toMatchObject({ reason: 'OPTED_OUT', error: '131050: Unable to deliver the message' });
});
