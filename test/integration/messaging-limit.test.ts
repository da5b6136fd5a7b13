// WhatsApp's messaging limit per business portfolio, kept in our own ledger: learnt from the Graph
// API, safe under concurrent senders, counted only outside a customer-service window; a notification
// that does not fit waits (MESSAGING_LIMIT, notBefore = when the oldest counted recipient leaves the
// 24 h window) and never fails; a raised limit (business_capability_update) lets it go. Against a fake
// Cloud API that counts what a portfolio reached and how often it went over its limit.
import { randomUUID } from 'node:crypto';
import { createNotificationActivities } from '../../activities/notifications.js';
import { MESSAGING_LIMIT_WINDOW_MS, takeSlot, takeSlotNow } from '../../src/notifications/messaging-limit-ledger.js';
import { refreshMessagingLimit } from '../../src/notifications/refresh-messaging-limit.js';
import { applyCapabilityUpdate } from '../../src/webhooks/apply-capability-update.js';
import { claimWorkflowId } from '../../workflows/definitions.js';
import { replanWorkflowId } from '../../workflows/replan-definitions.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv, seedClaim, verifyByHonorSystem } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'limit-secret' });
  system = await startTestSystem({ env: fakeMetaEnv(fakeMeta), worker: false });
});

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const db = () => system.deps.db;
const activities = () => createNotificationActivities(system.deps);
const row = (claimId: string) => db().claim.findUniqueOrThrow({ where: { id: claimId } });
const plan = (claimId: string) =>
  activities().planNotification({ claimId, now: new Date().toISOString(), ignoreWindow: false, maxDelayMs: 7 * 86_400_000 });

/** A tenant whose number belongs to a portfolio with `tier`, and `claims` verified claims of distinct users. */
async function portfolioWithClaims(tier: string, claims: number) {
  const first = await seedClaim(db(), system.deps.secrets, {});
  const waba = fakeMeta.addWaba({ name: 'Limited WABA' });
  const business = fakeMeta.addBusiness({ messagingLimit: tier, wabaIds: [waba.id] });
  const phone = fakeMeta.addPhoneNumber(waba.id);
  fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'es', bodyText: 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}' });
  const token = fakeMeta.addBusinessToken([waba.id]);
  const account = await db().whatsappAccount.create({
    data: {
      tenantId: first.tenantId,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: '+1 555 0199',
      accessToken: system.deps.secrets.seal(token.token),
    },
  });
  await db().campaign.update({
    where: { id: first.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: 'spins_added', notificationTemplateLanguage: 'es' },
  });
  const claimIds = [first.claimId];
  for (let i = 1; i < claims; i++) {
    const user = await db().endUser.create({
      data: {
        tenantId: first.tenantId,
        name: `U${i}`,
        phone: `+5197${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
        whatsappOptInAt: new Date(),
        whatsappOptInSource: 'test-fixture',
      },
    });
    const id = randomUUID();
    await db().claim.create({
      data: { id, tenantId: first.tenantId, campaignId: first.campaignId, taskId: first.taskId, userId: user.id, workflowId: claimWorkflowId(id) },
    });
    claimIds.push(id);
  }
  for (const id of claimIds) {
    await verifyByHonorSystem(db(), id);
  }
  return { tenantId: first.tenantId, waba, business, phone, account, claimIds };
}

test('two workers never both take the last slot: 10 concurrent senders on a portfolio of 4 count exactly 4', async () => {
  const businessId = `biz-${randomUUID()}`;
  const decisions = await Promise.all(
    Array.from({ length: 10 }, (_, i) => takeSlotNow(db(), businessId, `+5190000${String(i).padStart(4, '0')}`, 4)),
  );
  expect(decisions.filter((decision) => decision.kind === 'free')).toHaveLength(4);
  expect(decisions.filter((decision) => decision.kind === 'full')).toHaveLength(6);
  expect(await db().messagingLimitRecipient.count({ where: { businessId } })).toBe(4);
  // A recipient already counted in the window costs nothing more.
  const counted = await db().messagingLimitRecipient.findFirstOrThrow({ where: { businessId } });
  expect(await takeSlot(db(), businessId, counted.recipient, 4)).toEqual({ kind: 'free', countedAt: null });
});

test('the portfolio limit is learnt from Meta; what exceeds it waits with MESSAGING_LIMIT (never FAILED) and Meta never sees it; a user in a session window does not count; a raised limit lets the waiting ones go', async () => {
  const world = await portfolioWithClaims('TIER_2', 4);
  const [a, b, c, d] = world.claimIds as [string, string, string, string];
  expect(await refreshMessagingLimit(system.deps, world.account.id)).toEqual({ businessId: world.business.id, raised: false });
  expect(await db().whatsappPortfolio.findUniqueOrThrow({ where: { id: world.business.id } })).toMatchObject({
    messagingLimit: 2,
    messagingLimitTier: 'TIER_2',
  });

  expect((await activities().sendNotification({ claimId: a })).notificationStatus).toBe('SENT');
  expect((await activities().sendNotification({ claimId: b })).notificationStatus).toBe('SENT');
  const held = await activities().sendNotification({ claimId: c });
  expect(held).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', held: true });
  const waiting = await row(c);
  expect(waiting).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', notificationReason: 'MESSAGING_LIMIT', notificationAttemptedAt: null });
  const oldest = await db().messagingLimitRecipient.findFirstOrThrow({ where: { businessId: world.business.id }, orderBy: { countedAt: 'asc' } });
  expect(waiting.notificationNotBefore?.getTime()).toBe(oldest.countedAt.getTime() + MESSAGING_LIMIT_WINDOW_MS);
  expect(await plan(c)).toEqual({
    action: 'wait',
    notificationStatus: 'WAITING_FOR_WINDOW',
    notBefore: waiting.notificationNotBefore!.toISOString(),
  });
  expect(world.business.overLimit).toBe(0);
  expect(fakeMeta.sentMessages.filter((message) => message.phoneNumberId === world.phone.id)).toHaveLength(2);

  // Inside a customer-service window the message does not count against the limit.
  const inWindow = await db().claim.findUniqueOrThrow({ where: { id: d }, include: { user: true } });
  await db().endUser.update({ where: { id: inWindow.userId }, data: { lastInboundAt: new Date() } });
  fakeMeta.recordInboundMessage(world.phone.id, inWindow.user.phone);
  expect((await activities().sendNotification({ claimId: d })).notificationStatus).toBe('SENT');

  // The account view shows the limit and its use.
  const accounts = await system.request('GET', '/api/v1/whatsapp/accounts', { token: tokens.tenantAdmin(world.tenantId) });
  expect(accounts.body.accounts[0]).toMatchObject({ messagingLimit: 2, messagingUsed24h: 2 });

  // Meta raises the limit: the webhook stores it and asks the tenant's waiting claims to re-plan.
  world.business.messagingLimit = 'TIER_2K';
  const items = await applyCapabilityUpdate(
    { ...system.deps, config: system.config },
    { whatsapp_business_manager_messaging_limit: 'TIER_2K' },
    world.waba.id,
  );
  expect(items[0]).toMatchObject({ outcome: 'applied', detail: expect.stringMatching(/2000 \(raised/) });
  const replan = await system.deps.temporal.workflow.getHandle(replanWorkflowId({ kind: 'tenant', tenantId: world.tenantId })).describe();
  expect(replan.workflowId).toBe(replanWorkflowId({ kind: 'tenant', tenantId: world.tenantId }));
  expect(await plan(c)).toMatchObject({ action: 'send' });
  expect((await activities().sendNotification({ claimId: c })).notificationStatus).toBe('SENT');
  expect(world.business.overLimit).toBe(0);
});

test("Meta's error answer gives the counted recipient back (nothing went out)", async () => {
  const world = await portfolioWithClaims('TIER_5', 1);
  await refreshMessagingLimit(system.deps, world.account.id);
  fakeMeta.failNext({ method: 'POST', path: `/${world.phone.id}/messages`, error: { code: 131000, message: 'Something went wrong' }, status: 500 });
  await expect(activities().sendNotification({ claimId: world.claimIds[0]! })).rejects.toThrow();
  expect(await db().messagingLimitRecipient.count({ where: { businessId: world.business.id } })).toBe(0);
});

test('a text Meta refuses with 131047 is resent as the template only if the portfolio has room: the template counts, the text did not', async () => {
  const world = await portfolioWithClaims('TIER_1', 2);
  const [first, second] = world.claimIds as [string, string];
  await refreshMessagingLimit(system.deps, world.account.id);
  expect((await activities().sendNotification({ claimId: first })).notificationStatus).toBe('SENT');

  // We recorded a message from the second user, but Meta's window is closed: the text is refused,
  // and the template that would replace it does not fit the limit.
  const user = (await db().claim.findUniqueOrThrow({ where: { id: second } })).userId;
  await db().endUser.update({ where: { id: user }, data: { lastInboundAt: new Date() } });
  expect(await activities().sendNotification({ claimId: second })).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', held: true });
  expect(await row(second)).toMatchObject({ notificationReason: 'MESSAGING_LIMIT', notificationAttemptId: null });
  expect(fakeMeta.sentMessages.filter((message) => message.phoneNumberId === world.phone.id)).toHaveLength(1);
  expect(world.business.overLimit).toBe(0);
});
