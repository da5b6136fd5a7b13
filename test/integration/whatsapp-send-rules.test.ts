// What Meta's answers to a send mean beyond one message, against a fake Cloud API that answers like
// Meta: 131049 (per-user marketing cap) waits a day and is retried at most 3 times, then FAILED with
// MARKETING_LIMIT; 131047 (outside the window) on a text is sent once more as the campaign's
// template; a template Meta paused or disabled (132015 / 132016, or its status update) makes
// notifications outside a session window wait with TEMPLATE_PAUSED while inside one a text goes.
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testConfig } from '../workflows/claim-support.js';
import { fakeMetaEnv, seedVerifiedClaim, notificationActivitiesFor } from '../support/factories.js';

let database: TestDatabase;
let fakeMeta: FakeMeta;
const DAY_MS = 86_400_000;

const config = () => testConfig({ ...fakeMetaEnv(fakeMeta), OUTBOUND_HTTP_TIMEOUT: '1s', NOTIFICATION_MAX_DELAY: '7d' });
const secrets = () => createSecretBox([config().tokenEncryptionKey]);
const activities = () => notificationActivitiesFor(config(), database.db);

beforeAll(async () => {
  database = await createTestDatabase();
  fakeMeta = await startFakeMeta({ appSecret: 'rules-secret' });
});

afterAll(async () => {
  await fakeMeta?.close();
  await database?.close();
});

async function cloudClaim(template: { category?: string; status?: string } = {}) {
  const claim = await seedVerifiedClaim(database.db, secrets(), {});
  const waba = fakeMeta.addWaba({ name: 'Rules WABA' });
  const phone = fakeMeta.addPhoneNumber(waba.id);
  const fakeTemplate = fakeMeta.addTemplate(waba.id, {
    name: 'spins_added',
    language: 'es',
    category: template.category ?? 'UTILITY',
    status: template.status ?? 'APPROVED',
    bodyText: 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}',
  });
  const token = fakeMeta.addBusinessToken([waba.id]);
  const account = await database.db.whatsappAccount.create({
    data: {
      tenantId: claim.tenantId,
      wabaId: waba.id,
      phoneNumberId: phone.id,
      displayPhoneNumber: '+1 555 0142',
      accessToken: secrets().seal(token.token),
    },
  });
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: 'spins_added', notificationTemplateLanguage: 'es' },
  });
  return { ...claim, phoneNumberId: phone.id, fakeTemplate, waId: '51987654321' };
}

const row = (claimId: string) => database.db.claim.findUniqueOrThrow({ where: { id: claimId } });
const sendsFrom = (phoneNumberId: string) => fakeMeta.graphRequests({ method: 'POST', path: `/${phoneNumberId}/messages` }).length;
const plan = (claimId: string) =>
  activities().planNotification({ claimId, now: new Date().toISOString(), ignoreWindow: false, maxDelayMs: 7 * DAY_MS });

test('131049 (marketing cap): waits at least 24 h with MARKETING_LIMIT, nothing tried sooner; after 3 retries FAILED with MARKETING_LIMIT', async () => {
  const claim = await cloudClaim({ category: 'MARKETING' });
  fakeMeta.state.marketingCapped.add(claim.waId);
  try {
    const first = await activities().sendNotification({ claimId: claim.claimId });
    expect(first).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', held: true });
    const waiting = await row(claim.claimId);
    expect(waiting).toMatchObject({ notificationReason: 'MARKETING_LIMIT', notificationMarketingRetries: 1, notificationAttemptId: null });
    expect(waiting.notificationNotBefore!.getTime()).toBeGreaterThanOrEqual(Date.now() + DAY_MS - 60_000);
    // Neither a re-plan nor a send attempt goes to Meta before then.
    expect(await plan(claim.claimId)).toEqual({
      action: 'wait',
      notificationStatus: 'WAITING_FOR_WINDOW',
      notBefore: waiting.notificationNotBefore!.toISOString(),
    });
    expect(await activities().sendNotification({ claimId: claim.claimId })).toMatchObject({ held: true });
    expect(sendsFrom(claim.phoneNumberId)).toBe(1);

    // A day later, three more times.
    for (let retry = 1; retry <= 3; retry++) {
      await database.db.claim.update({
        where: { id: claim.claimId },
        data: { notificationNotBefore: new Date(Date.now() - 1_000) },
      });
      await activities().sendNotification({ claimId: claim.claimId });
    }
    expect(await row(claim.claimId)).toMatchObject({
      notificationStatus: 'FAILED',
      notificationReason: 'MARKETING_LIMIT',
      notificationMarketingRetries: 4,
    });
    expect(sendsFrom(claim.phoneNumberId)).toBe(4);
  } finally {
    fakeMeta.state.marketingCapped.delete(claim.waId);
  }
});

test('131049 when a day later is past the maximum delay: FAILED with MARKETING_LIMIT at once', async () => {
  const claim = await cloudClaim({ category: 'MARKETING' });
  await database.db.claim.update({ where: { id: claim.claimId }, data: { verifiedAt: new Date(Date.now() - 6.5 * DAY_MS) } });
  fakeMeta.state.marketingCapped.add(claim.waId);
  try {
    expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('FAILED');
    expect(await row(claim.claimId)).toMatchObject({ notificationReason: 'MARKETING_LIMIT' });
  } finally {
    fakeMeta.state.marketingCapped.delete(claim.waId);
  }
});

test("131047 on a text (the session we believed open is closed at Meta): sent once more as the campaign's template", async () => {
  const claim = await cloudClaim();
  // We recorded a message from the user, but Meta's window is closed (none at Meta).
  await database.db.endUser.update({ where: { id: claim.userId }, data: { lastInboundAt: new Date() } });
  expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('SENT');
  expect(sendsFrom(claim.phoneNumberId)).toBe(2);
  const accepted = fakeMeta.sentMessages.filter((message) => message.phoneNumberId === claim.phoneNumberId);
  expect(accepted).toHaveLength(1);
  expect(accepted[0]).toMatchObject({ type: 'template', template: { name: 'spins_added', language: 'es' } });
  expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'SENT', notificationProviderMessageId: accepted[0]!.id });
});

test('132015 (template paused by Meta) marks the campaign template PAUSED and the notification waits with TEMPLATE_PAUSED; inside a session window a text goes instead', async () => {
  const claim = await cloudClaim({ status: 'PAUSED' });
  expect(await activities().sendNotification({ claimId: claim.claimId })).toMatchObject({ held: true });
  expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', notificationReason: 'TEMPLATE_PAUSED' });
  expect(await database.db.campaign.findUniqueOrThrow({ where: { id: claim.campaignId } })).toMatchObject({ notificationTemplateStatus: 'PAUSED' });
  expect(await plan(claim.claimId)).toMatchObject({ action: 'wait' });
  expect(sendsFrom(claim.phoneNumberId)).toBe(1);

  // The user writes: a text may go while the template is paused.
  await database.db.endUser.update({ where: { id: claim.userId }, data: { lastInboundAt: new Date() } });
  fakeMeta.recordInboundMessage(claim.phoneNumberId, claim.waId);
  expect(await plan(claim.claimId)).toMatchObject({ action: 'send' });
  expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('SENT');
  expect(fakeMeta.sentMessages.filter((message) => message.phoneNumberId === claim.phoneNumberId)[0]).toMatchObject({ type: 'text' });
});
