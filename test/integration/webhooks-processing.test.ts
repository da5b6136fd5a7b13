// What processing a Meta delivery does, end to end (signed POST → stored → processMetaWebhook on
// the dev server → rows): delivery statuses on claims' notifications, inbound messages opening the
// 24-hour session of the receiving tenant's end user only, account events, and the summary an
// operator reads. Rows are seeded directly; assertions are on rows and on what the fake Graph API got.
import { randomInt } from 'node:crypto';
import { pino } from 'pino';
import { createNotificationActivities } from '../../activities/notifications.js';
import { webhookWorkflowId } from '../../workflows/definitions.js';
import { applyPendingMessageStatuses, recordMessageStatus } from '../../src/notifications/message-status.js';
import { refreshScheduleId } from '../../src/temporal/token-refresh-schedules.js';
import { deliver, fixture, IDS, newWamid, unixSeconds } from '../fixtures/meta-webhooks/helpers.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { seedAccount, seedEndUser, seedNotification, seedTenant } from '../support/factories.js';

let system: TestSystem;
let graph: FakeHttpServer;
/** wamids the fake Graph API hands out for sent messages, in order */
const wamidsToReturn: string[] = [];
let tenantA: { id: string };
let tenantB: { id: string };
let accountA: { id: string };

beforeAll(async () => {
  graph = await startFakeHttpServer((request) => {
    if (request.method === 'POST' && /\/messages$/.test(request.path)) {
      const to = (request.body as { to?: string }).to ?? '';
      return {
        body: {
          messaging_product: 'whatsapp',
          contacts: [{ input: to, wa_id: to.replace('+', '') }],
          messages: [{ id: wamidsToReturn.shift() ?? newWamid() }],
        },
      };
    }
    return { status: 404, body: { error: { message: 'not faked', code: 100 } } };
  });
  system = await startTestSystem({ env: { META_GRAPH_BASE_URL: graph.url } });
  const { db, secrets } = system.deps;
  tenantA = await seedTenant(db);
  tenantB = await seedTenant(db);
  accountA = await seedAccount(db, secrets, {
    tenantId: tenantA.id,
    wabaId: IDS.wabaA,
    phoneNumberId: IDS.phoneNumberIdA,
    displayPhoneNumber: '+1 555-078-3881',
  });
  await seedAccount(db, secrets, {
    tenantId: tenantB.id,
    wabaId: IDS.wabaB,
    phoneNumberId: IDS.phoneNumberIdB,
    displayPhoneNumber: '+1 555-000-1111',
  });
});

afterAll(async () => {
  await system?.stop();
  await graph?.close();
});

const db = () => system.deps.db;
const randomWaId = () => `1650${randomInt(1_000_000, 9_999_999)}`;
const claim = (id: string) => db().claim.findUniqueOrThrow({ where: { id } });
const statusBody = (name: 'sent' | 'delivered' | 'read' | 'failed', wamid: string, claimId = 'not-ours') =>
  fixture(`status-${name}`, { [IDS.wamid]: wamid, [IDS.claimPlaceholder]: claimId });
async function sentNotification(tenantId = tenantA.id, extra: Partial<Parameters<typeof seedNotification>[1]> = {}) {
  const user = await seedEndUser(db(), tenantId, `+${randomWaId()}`);
  const wamid = newWamid();
  const row = await seedNotification(db(), { tenantId, userId: user.id, notificationStatus: 'SENT', providerMessageId: wamid, ...extra });
  return { claimId: row.id, wamid, user };
}

describe('delivery statuses', () => {
  test('out of order (read, then delivered, then sent) ends READ, each status recorded once', async () => {
    const { claimId, wamid } = await sentNotification();
    const read = await deliver(system, statusBody('read', wamid));
    expect((await claim(claimId)).notificationStatus).toBe('READ');
    expect(read.tenantId).toBe(tenantA.id);
    expect(read.result).toMatchObject({ statusesApplied: 1, statusesKept: 0, unmatchedTotal: 0, tenantIds: [tenantA.id] });

    await deliver(system, statusBody('delivered', wamid));
    await deliver(system, statusBody('sent', wamid));
    expect(await claim(claimId)).toMatchObject({ notificationStatus: 'READ', notificationError: null });
    const events = await db().messageStatusEvent.findMany({ where: { providerMessageId: wamid }, orderBy: { status: 'asc' } });
    expect(events.map((event) => [event.status, event.appliedAt !== null])).toEqual([
      ['delivered', true],
      ['read', true],
      ['sent', true],
    ]);
  });

  test("failed carries Meta's error code and title to the completion view", async () => {
    const { claimId, wamid } = await sentNotification();
    await deliver(system, statusBody('failed', wamid));
    const view = await system.request('GET', `/api/v1/completions/${claimId}`, { token: tokens.tenantAdmin(tenantA.id) });
    expect(view.status).toBe(200);
    expect(view.body.notification).toMatchObject({ status: 'FAILED', error: '131026: Message undeliverable', providerMessageId: wamid });
    const recorded = await db().messageStatusEvent.findUniqueOrThrow({
      where: { providerMessageId_status: { providerMessageId: wamid, status: 'failed' } },
    });
    expect(recorded).toMatchObject({ errorCode: 131026, errorTitle: 'Message undeliverable', occurredAt: new Date(1750263780 * 1000) });
  });

  test('failed after delivered keeps DELIVERED and makes the error visible; a later sent changes nothing', async () => {
    const { claimId, wamid } = await sentNotification();
    await deliver(system, statusBody('delivered', wamid));
    await deliver(system, statusBody('failed', wamid));
    await deliver(system, statusBody('sent', wamid));
    expect(await claim(claimId)).toMatchObject({ notificationStatus: 'DELIVERED', notificationError: '131026: Message undeliverable' });
  });

  test('a status before our send is recorded is kept, then applied by applyPendingMessageStatuses', async () => {
    const wamid = newWamid();
    const event = await deliver(system, statusBody('delivered', wamid));
    expect(event.result).toMatchObject({ statusesApplied: 0, statusesKept: 1, unmatchedTotal: 0 });
    expect(event.tenantId).toBe(tenantA.id); // attributed through the receiving number
    expect(await db().messageStatusEvent.findMany({ where: { providerMessageId: wamid } })).toEqual([
      expect.objectContaining({ status: 'delivered', appliedAt: null, webhookEventId: event.id }),
    ]);

    // Our send records the id (what activities/notifications.ts does), then applies what waited.
    const user = await seedEndUser(db(), tenantA.id, `+${randomWaId()}`);
    const row = await seedNotification(db(), { tenantId: tenantA.id, userId: user.id, notificationStatus: 'SENT', providerMessageId: wamid });
    const applied = await applyPendingMessageStatuses(db(), wamid);
    expect(applied).toEqual({
      notifications: [{ claimId: row.id, tenantId: tenantA.id, from: 'SENT', to: 'DELIVERED' }],
      statusesMarkedApplied: 1,
    });
    expect((await claim(row.id)).notificationStatus).toBe('DELIVERED');
    expect((await db().messageStatusEvent.findFirstOrThrow({ where: { providerMessageId: wamid } })).appliedAt).not.toBeNull();
    // Again: nothing left to mark, nothing changes.
    expect(await applyPendingMessageStatuses(db(), wamid)).toMatchObject({
      statusesMarkedApplied: 0,
      notifications: [{ from: 'DELIVERED', to: 'DELIVERED' }],
    });
  });

  test('concurrent recording and application of statuses converge on the same result', async () => {
    const { claimId, wamid } = await sentNotification();
    const occurredAt = new Date();
    await Promise.all([
      ...['read', 'delivered', 'sent'].map((status) => recordMessageStatus(db(), { providerMessageId: wamid, status, occurredAt })),
      recordMessageStatus(db(), { providerMessageId: wamid, status: 'failed', occurredAt, errorCode: 131000, errorTitle: 'Something went wrong' }),
      ...Array.from({ length: 8 }, () => applyPendingMessageStatuses(db(), wamid)),
    ]);
    await applyPendingMessageStatuses(db(), wamid);
    expect(await claim(claimId)).toMatchObject({ notificationStatus: 'READ', notificationError: '131000: Something went wrong' });
    expect(await db().messageStatusEvent.count({ where: { providerMessageId: wamid, appliedAt: null } })).toBe(0);
  });

  test('an UNKNOWN send is resolved by a status echoing our completion id, within the sending tenant only', async () => {
    const user = await seedEndUser(db(), tenantA.id, `+${randomWaId()}`);
    const unknown = await seedNotification(db(), {
      tenantId: tenantA.id,
      userId: user.id,
      notificationStatus: 'UNKNOWN',
      notificationError: 'timed out; not resent',
    });
    const wamid = newWamid();
    await deliver(system, statusBody('delivered', wamid, unknown.id));
    expect(await claim(unknown.id)).toMatchObject({
      notificationStatus: 'DELIVERED',
      notificationProviderMessageId: wamid,
      notificationChannel: 'WHATSAPP_CLOUD',
      notificationError: null,
    });

    // Tenant B's UNKNOWN claim named in a status from tenant A's number is not touched.
    const userB = await seedEndUser(db(), tenantB.id, `+${randomWaId()}`);
    const otherTenant = await seedNotification(db(), { tenantId: tenantB.id, userId: userB.id, notificationStatus: 'UNKNOWN' });
    const event = await deliver(system, statusBody('delivered', newWamid(), otherTenant.id));
    expect(await claim(otherTenant.id)).toMatchObject({ notificationStatus: 'UNKNOWN', notificationProviderMessageId: null });
    expect(event.result).toMatchObject({ statusesKept: 1 });
  });

  test("an id returned by a tenant's own provider never picks up Meta statuses", async () => {
    const { claimId, wamid } = await sentNotification(tenantA.id, { channel: 'TENANT_PROVIDER' });
    const event = await deliver(system, statusBody('read', wamid));
    expect((await claim(claimId)).notificationStatus).toBe('SENT');
    expect(event.result).toMatchObject({ statusesApplied: 0, statusesKept: 1 });
  });
});

describe('inbound messages', () => {
  test("set lastInboundAt only for the receiving tenant's end user, never moving it back", async () => {
    const waId = randomWaId();
    const userA = await seedEndUser(db(), tenantA.id, `+${waId}`);
    const userB = await seedEndUser(db(), tenantB.id, `+${waId}`);
    const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const event = await deliver(system, fixture('inbound-text', { [IDS.senderWaId]: waId, [IDS.inboundTimestamp]: unixSeconds(sentAt) }));
    expect(event.result).toMatchObject({ inboundRecorded: 1, unmatchedTotal: 0, tenantIds: [tenantA.id] });
    expect(event.tenantId).toBe(tenantA.id);
    expect((await db().endUser.findUniqueOrThrow({ where: { id: userA.id } })).lastInboundAt).toEqual(sentAt);
    expect((await db().endUser.findUniqueOrThrow({ where: { id: userB.id } })).lastInboundAt).toBeNull();

    // An older message delivered late does not move it back.
    await deliver(
      system,
      fixture('inbound-text', { [IDS.senderWaId]: waId, [IDS.inboundTimestamp]: unixSeconds(new Date(sentAt.getTime() - 3_600_000)) }),
    );
    expect((await db().endUser.findUniqueOrThrow({ where: { id: userA.id } })).lastInboundAt).toEqual(sentAt);
  });

  test("one delivery for two tenants updates each tenant's own end user and reports the rest as unmatched", async () => {
    const waId = randomWaId();
    const userA = await seedEndUser(db(), tenantA.id, `+${waId}`);
    const userB = await seedEndUser(db(), tenantB.id, `+${waId}`);
    const atA = new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000);
    const atB = new Date(atA.getTime() + 30_000);
    const event = await deliver(
      system,
      fixture('two-tenants', {
        [IDS.senderWaId]: waId,
        '1750264000': unixSeconds(atA),
        '1750264100': unixSeconds(atB),
        '1750264101': unixSeconds(atB),
      }),
    );
    expect((await db().endUser.findUniqueOrThrow({ where: { id: userA.id } })).lastInboundAt).toEqual(atA);
    expect((await db().endUser.findUniqueOrThrow({ where: { id: userB.id } })).lastInboundAt).toEqual(atB);
    expect(event.tenantId).toBeNull(); // two tenants: listed in the result instead
    expect(event.result).toMatchObject({
      inboundRecorded: 2,
      unmatchedTotal: 1,
      tenantIds: [tenantA.id, tenantB.id].sort(),
      unmatchedTenantIds: [tenantB.id],
      byTenant: {
        [tenantA.id]: { inboundRecorded: 1, unmatchedTotal: 0 },
        [tenantB.id]: {
          inboundRecorded: 1,
          unmatchedTotal: 1,
          unmatched: [expect.objectContaining({ entry: 1, change: 0, field: 'messages', ref: '…7777' })],
        },
      },
    });
  });

  test('a message to a number we do not know is unmatched, not an error', async () => {
    const event = await deliver(system, fixture('inbound-text', { [IDS.phoneNumberIdA]: '999000111222333', [IDS.senderWaId]: randomWaId() }));
    expect(event.processingError).toBeNull();
    expect(event.tenantId).toBeNull();
    expect(event.result).toMatchObject({
      inboundRecorded: 0,
      unmatchedTotal: 1,
      tenantIds: [],
      unmatched: [expect.objectContaining({ kind: 'inbound', reason: 'no WhatsApp account has phone number id 999000111222333' })],
    });
  });
});

test('a batch with several entries and changes applies each and sums them up; the history shows each item', async () => {
  const userA = await seedEndUser(db(), tenantA.id, `+${randomWaId()}`);
  const first = await seedNotification(db(), {
    tenantId: tenantA.id,
    userId: userA.id,
    notificationStatus: 'SENT',
    providerMessageId: IDS.batchWamidA,
  });
  const second = await seedNotification(db(), {
    tenantId: tenantA.id,
    userId: (await seedEndUser(db(), tenantA.id, `+${randomWaId()}`)).id,
    notificationStatus: 'DELIVERED',
    providerMessageId: IDS.batchWamidB,
  });
  const event = await deliver(system, fixture('batch-several-entries'));

  expect((await claim(first.id)).notificationStatus).toBe('DELIVERED');
  expect((await claim(second.id)).notificationStatus).toBe('READ');
  expect(await db().whatsappAccount.findUniqueOrThrow({ where: { id: accountA.id } })).toMatchObject({
    qualityRating: 'RED',
    verifiedName: 'Lucky Shrub',
    status: 'ACTIVE',
    // A RED rating pauses the number's sends (the circuit breaker).
    sendingPausedCode: 'QUALITY_RED',
  });
  // The tests below send from this number again.
  await db().whatsappAccount.update({
    where: { id: accountA.id },
    data: { qualityRating: 'GREEN', sendingPausedAt: null, sendingPausedCode: null, sendingPausedReason: null },
  });
  expect(event.result).toMatchObject({
    changes: 4,
    statusesApplied: 2,
    inboundRecorded: 0,
    accountEventsApplied: 2,
    unmatchedTotal: 1,
    unmatched: [expect.objectContaining({ entry: 0, change: 1, kind: 'inbound', ref: '…9999' })],
  });
  const handle = system.temporalEnv.client.workflow.getHandle(webhookWorkflowId(event.dedupeKey));
  expect(await handle.result()).toEqual(event.result);
  const history = JSON.stringify(await handle.fetchHistory());
  expect(history).toContain('applyWebhookChanges');
});

describe('account events', () => {
  /** An account of tenant A on a WABA of its own, and a fixture rewritten to name it. */
  async function accountOnOwnWaba(connectedAt?: Date) {
    const wabaId = String(randomInt(100_000_000, 999_999_999));
    const account = await seedAccount(db(), system.deps.secrets, {
      tenantId: tenantA.id,
      wabaId,
      phoneNumberId: String(randomInt(100_000_000, 999_999_999)),
      displayPhoneNumber: '+1 555-222-3333',
      ...(connectedAt ? { connectedAt } : {}),
    });
    return { account, event: (name: string) => fixture(name, { [IDS.wabaA]: wabaId }) };
  }
  const account = (id: string) => db().whatsappAccount.findUniqueOrThrow({ where: { id } });

  test('our app uninstalled by the business → NEEDS_REAUTH, refresh schedule paused', async () => {
    const { account: seeded, event } = await accountOnOwnWaba();
    const processed = await deliver(system, event('account-update-partner-app-uninstalled'));
    expect(await account(seeded.id)).toMatchObject({ status: 'NEEDS_REAUTH', statusReason: expect.stringContaining('PARTNER_APP_UNINSTALLED') });
    expect(processed.result).toMatchObject({ accountEventsApplied: 1, tenantIds: [tenantA.id] });
    const schedule = await system.temporalEnv.client.schedule.getHandle(refreshScheduleId(seeded.id)).describe();
    expect(schedule.state.paused).toBe(true);
  });

  test('disabled by Meta → DISCONNECTED (token kept); reinstated → ACTIVE again', async () => {
    const { account: seeded, event } = await accountOnOwnWaba();
    await deliver(system, event('account-update-disabled'));
    const disabled = await account(seeded.id);
    expect(disabled).toMatchObject({ status: 'DISCONNECTED', statusReason: expect.stringMatching(/^Meta: disabled .*April 17, 2025/) });
    expect(disabled.accessToken).not.toBeNull();
    await deliver(system, event('account-update-reinstated'));
    expect(await account(seeded.id)).toMatchObject({ status: 'ACTIVE', statusReason: null });
  });

  test('a reinstatement does not revive an account a tenant admin disconnected', async () => {
    const { account: seeded, event } = await accountOnOwnWaba();
    await db().whatsappAccount.update({
      where: { id: seeded.id },
      data: { status: 'DISCONNECTED', statusReason: 'Disconnected by a tenant admin', accessToken: null },
    });
    const processed = await deliver(system, event('account-update-reinstated'));
    expect(await account(seeded.id)).toMatchObject({ status: 'DISCONNECTED', statusReason: 'Disconnected by a tenant admin' });
    expect(processed.result).toMatchObject({ accountEventsApplied: 0, ignored: 1 });
  });

  test('informational events are noted without changing the account', async () => {
    const { account: seeded, event } = await accountOnOwnWaba();
    const processed = await deliver(system, event('account-update-violation'));
    expect((await account(seeded.id)).status).toBe('ACTIVE');
    expect(processed.result).toMatchObject({ accountEventsApplied: 0, ignored: 1, tenantIds: [tenantA.id] });
  });

  test('an event older than the account’s connection does not undo it', async () => {
    const { account: seeded, event } = await accountOnOwnWaba(new Date());
    await deliver(system, event('account-update-disabled'));
    expect((await account(seeded.id)).status).toBe('ACTIVE');
  });

  test('an event for a WABA we do not know is unmatched', async () => {
    const processed = await deliver(system, fixture('account-update-disabled', { [IDS.wabaA]: '555000555000' }));
    expect(processed.result).toMatchObject({
      unmatchedTotal: 1,
      tenantIds: [],
      unmatched: [expect.objectContaining({ kind: 'account', ref: 'waba 555000555000' })],
    });
  });
});

describe('the 24-hour session and the completion view, end to end with the Cloud API', () => {
  const templateCampaign = () => ({
    whatsappAccountId: accountA.id,
    notificationTemplateName: 'task_verified',
    notificationTemplateLanguage: 'en_US',
  });
  const send = (claimId: string) => createNotificationActivities({ ...system.deps, logger: pino({ level: 'silent' }) }).sendNotification({ claimId });
  const lastSentTo = (phone: string) =>
    graph
      .received('POST', /\/messages$/)
      .filter((request) => (request.body as { to: string }).to === phone)
      .at(-1)?.body as { type: string };

  test('without a message from the user the notification is a template', async () => {
    const user = await seedEndUser(db(), tenantA.id, `+${randomWaId()}`);
    const row = await seedNotification(db(), { tenantId: tenantA.id, userId: user.id, notificationStatus: 'PENDING', campaign: templateCampaign() });
    expect((await send(row.id)).notificationStatus).toBe('SENT');
    expect(lastSentTo(user.phone).type).toBe('template');
  });

  test('an inbound message opens the session: the next notification is text, and its delivered status shows in GET /completions/:id', async () => {
    const waId = randomWaId();
    const user = await seedEndUser(db(), tenantA.id, `+${waId}`);
    await deliver(system, fixture('inbound-text', { [IDS.senderWaId]: waId, [IDS.inboundTimestamp]: unixSeconds(new Date()) }));
    const row = await seedNotification(db(), { tenantId: tenantA.id, userId: user.id, notificationStatus: 'PENDING', campaign: templateCampaign() });
    const wamid = newWamid();
    wamidsToReturn.push(wamid);
    expect((await send(row.id)).notificationStatus).toBe('SENT');
    expect(lastSentTo(user.phone).type).toBe('text');

    await deliver(system, statusBody('delivered', wamid, row.id));
    const view = await system.request('GET', `/api/v1/completions/${row.id}`, { token: tokens.tenantAdmin(tenantA.id) });
    expect(view.body.notification).toMatchObject({ status: 'DELIVERED', channel: 'WHATSAPP_CLOUD', providerMessageId: wamid, error: null });
  });

  test('a status that arrives before the send is recorded is applied as soon as the send records its id', async () => {
    const user = await seedEndUser(db(), tenantA.id, `+${randomWaId()}`);
    const row = await seedNotification(db(), { tenantId: tenantA.id, userId: user.id, notificationStatus: 'PENDING', campaign: templateCampaign() });
    const wamid = newWamid();
    await deliver(system, statusBody('read', wamid, row.id));
    wamidsToReturn.push(wamid);
    await send(row.id);
    // sendNotification calls applyPendingMessageStatuses right after recording the id; calling it
    // again is harmless and keeps this test independent of that wiring.
    await applyPendingMessageStatuses(db(), wamid);
    expect(await claim(row.id)).toMatchObject({ notificationStatus: 'READ', notificationProviderMessageId: wamid });
  });
});
