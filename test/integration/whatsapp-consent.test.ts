// WhatsApp consent: an end user without an opt-in (when the tenant requires one) or opted out gets
// no message, while the claim stays verified and credited; STOP / START sent to the business number
// record the opt-out / opt-in with one confirmation; Meta's 131050 records the opt-out. Against the
// fake Graph API over real HTTP and a real database; assertions on rows and on what Meta accepted.
import { pino } from 'pino';
import { createNotificationActivities } from '../../activities/notifications.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { applyMessagesChange } from '../../src/webhooks/apply-messages-change.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testConfig } from '../workflows/claim-support.js';
import { fakeMetaEnv, seedVerifiedClaim } from '../support/factories.js';

let database: TestDatabase;
let fakeMeta: FakeMeta;

const config = () => testConfig({ ...fakeMetaEnv(fakeMeta), OUTBOUND_HTTP_TIMEOUT: '1s' });
const secrets = () => createSecretBox([config().tokenEncryptionKey]);
const logger = pino({ level: 'silent' });
const deps = () => ({ config: config(), db: database.db, secrets: secrets(), logger, graph: graphClientFromConfig(config()) });
const activities = () => createNotificationActivities(deps());

beforeAll(async () => {
  database = await createTestDatabase();
  fakeMeta = await startFakeMeta({ appSecret: 'consent-secret' });
});

afterAll(async () => {
  await fakeMeta?.close();
  await database?.close();
});

/** A verified claim whose campaign sends through a Cloud API number with an approved template. */
async function verifiedCloudClaim(template: { category: string } = { category: 'UTILITY' }) {
  const claim = await seedVerifiedClaim(database.db, secrets(), {});
  const waba = fakeMeta.addWaba({ name: 'Consent WABA' });
  const phone = fakeMeta.addPhoneNumber(waba.id);
  fakeMeta.addTemplate(waba.id, {
    name: 'spins_added',
    language: 'es',
    category: template.category,
    bodyText: 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}',
  });
  const token = fakeMeta.addBusinessToken([waba.id], { assets: [waba.id, phone.id] });
  const account = await database.db.whatsappAccount.create({
    data: {
      tenantId: claim.tenantId,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: '+1 555 0100',
      accessToken: secrets().seal(token.token),
    },
  });
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: 'spins_added', notificationTemplateLanguage: 'es' },
  });
  return { ...claim, phoneNumberId: phone.id, wabaId: waba.id, accountId: account.id };
}

const row = (claimId: string) => database.db.claim.findUniqueOrThrow({ where: { id: claimId } });
const user = (userId: string) => database.db.endUser.findUniqueOrThrow({ where: { id: userId } });
const messagesTo = (phoneNumberId: string) => fakeMeta.sentMessages.filter((message) => message.phoneNumberId === phoneNumberId);
const plan = (claimId: string) =>
  activities().planNotification({ claimId, now: new Date().toISOString(), ignoreWindow: false, maxDelayMs: 7 * 86_400_000 });

test('a user without an opt-in is verified and credited but gets no message: SKIPPED with NO_WHATSAPP_OPT_IN', async () => {
  const claim = await verifiedCloudClaim();
  await database.db.endUser.update({ where: { id: claim.userId }, data: { whatsappOptInAt: null, whatsappOptInSource: null } });

  expect(await plan(claim.claimId)).toEqual({ action: 'done', notificationStatus: 'SKIPPED' });
  // The send activity (a retry, notify-now) refuses too.
  expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('SKIPPED');

  expect(await row(claim.claimId)).toMatchObject({
    status: 'VERIFIED',
    spinsAwarded: 3,
    notificationStatus: 'SKIPPED',
    notificationReason: 'NO_WHATSAPP_OPT_IN',
  });
  expect(await database.db.spinCredit.count({ where: { claimId: claim.claimId } })).toBe(1);
  expect(messagesTo(claim.phoneNumberId)).toHaveLength(0);
});

test('a tenant that does not require an opt-in messages users without one', async () => {
  const claim = await verifiedCloudClaim();
  await database.db.endUser.update({ where: { id: claim.userId }, data: { whatsappOptInAt: null, whatsappOptInSource: null } });
  await database.db.tenant.update({ where: { id: claim.tenantId }, data: { requireWhatsappOptIn: false } });

  expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('SENT');
  expect(messagesTo(claim.phoneNumberId)).toHaveLength(1);
});

test('an opted-out user gets no message (SKIPPED, OPTED_OUT); an opt-in after the opt-out counts again', async () => {
  const claim = await verifiedCloudClaim();
  await database.db.endUser.update({ where: { id: claim.userId }, data: { whatsappOptedOutAt: new Date() } });
  expect(await plan(claim.claimId)).toEqual({ action: 'done', notificationStatus: 'SKIPPED' });
  expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'SKIPPED', notificationReason: 'OPTED_OUT' });
  expect(messagesTo(claim.phoneNumberId)).toHaveLength(0);

  const again = await verifiedCloudClaim();
  await database.db.endUser.update({
    where: { id: again.userId },
    data: { whatsappOptedOutAt: new Date(Date.now() - 60_000), whatsappOptInAt: new Date(), whatsappOptInSource: 'signup-form' },
  });
  expect((await activities().sendNotification({ claimId: again.claimId })).notificationStatus).toBe('SENT');
});

test("Meta's 131050 (user stopped marketing messages) records the opt-out and fails the notification with OPTED_OUT, without a retry", async () => {
  const claim = await verifiedCloudClaim({ category: 'MARKETING' });
  const phone = (await user(claim.userId)).phone;
  fakeMeta.state.marketingStopped.add(phone.replace('+', ''));

  const outcome = await activities().sendNotification({ claimId: claim.claimId });
  expect(outcome.notificationStatus).toBe('FAILED');
  expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'FAILED', notificationReason: 'OPTED_OUT' });
  expect((await user(claim.userId)).whatsappOptedOutAt).not.toBeNull();
  expect(fakeMeta.graphRequests({ method: 'POST', path: `/${claim.phoneNumberId}/messages` })).toHaveLength(1);
});

describe('STOP and START sent to the business number', () => {
  const inbound = (phoneNumberId: string, from: string, text: string) => ({
    messaging_product: 'whatsapp',
    metadata: { phone_number_id: phoneNumberId, display_phone_number: '15550100' },
    messages: [{ from, id: `wamid.in-${text}-${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
  });
  const apply = (value: unknown) =>
    applyMessagesChange(database.db, value, {
      webhookEventId: 'consent-test',
      now: new Date(),
      consent: { db: database.db, secrets: secrets(), graph: deps().graph, logger },
    });

  test('"stop" (any case) records the opt-out with one confirmation, also when Meta delivers it twice; "START" opts in again', async () => {
    const claim = await verifiedCloudClaim();
    const waId = (await user(claim.userId)).phone.replace('+', '');
    fakeMeta.recordInboundMessage(claim.phoneNumberId, waId);

    const stop = inbound(claim.phoneNumberId, waId, ' stop ');
    const [item] = await apply(stop);
    expect(item?.detail).toMatch(/opt-out recorded; confirmation sent/);
    await apply(stop);
    expect((await user(claim.userId)).whatsappOptedOutAt).not.toBeNull();
    const confirmations = messagesTo(claim.phoneNumberId);
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatchObject({ type: 'text', waId, text: expect.stringMatching(/no longer receive/) });

    // The claim's notification is now skipped.
    expect(await plan(claim.claimId)).toEqual({ action: 'done', notificationStatus: 'SKIPPED' });

    await apply(inbound(claim.phoneNumberId, waId, 'START'));
    const after = await user(claim.userId);
    expect(after.whatsappOptInSource).toBe('whatsapp-start-message');
    expect(after.whatsappOptInAt!.getTime()).toBeGreaterThanOrEqual(after.whatsappOptedOutAt!.getTime());
    expect(messagesTo(claim.phoneNumberId)).toHaveLength(2);
  });

  test("the tenant's own opt-out words count; other text changes nothing", async () => {
    const claim = await verifiedCloudClaim();
    await database.db.tenant.update({ where: { id: claim.tenantId }, data: { whatsappOptOutKeywords: ['BASTA'] } });
    const waId = (await user(claim.userId)).phone.replace('+', '');
    fakeMeta.recordInboundMessage(claim.phoneNumberId, waId);

    await apply(inbound(claim.phoneNumberId, waId, 'please stop the spam'));
    await apply(inbound(claim.phoneNumberId, waId, 'STOP'));
    expect((await user(claim.userId)).whatsappOptedOutAt).toBeNull();
    await apply(inbound(claim.phoneNumberId, waId, 'basta'));
    expect((await user(claim.userId)).whatsappOptedOutAt).not.toBeNull();
  });
});
