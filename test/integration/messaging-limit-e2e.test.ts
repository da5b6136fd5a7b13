// The messaging limit end to end, with the real API, worker and Temporal: claims beyond a
// portfolio's limit wait with MESSAGING_LIMIT (never FAILED), and Meta's business_capability_update
// raising the limit sends them at once (their workflows are signalled; nothing waits for a timer).
import { signMetaPayload } from '../../src/features/webhooks/meta-signature.js';
import { refreshMessagingLimit } from '../../src/notifications/refresh-messaging-limit.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'limit-e2e-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fakeMeta), CLAIM_VERIFY_DELAY: '200ms' } });
});

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

test('3 claims on a portfolio of 1: one sent, two wait with MESSAGING_LIMIT; the raised limit sends them without any timer', async () => {
  const { db, secrets } = system.deps;
  const tenantId = await system.createTenant('limit-e2e');
  const admin = tokens.tenantAdmin(tenantId);
  const waba = fakeMeta.addWaba({ name: 'Small portfolio' });
  const business = fakeMeta.addBusiness({ messagingLimit: 'TIER_1', wabaIds: [waba.id] });
  const phone = fakeMeta.addPhoneNumber(waba.id);
  fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'es', bodyText: 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}' });
  const token = fakeMeta.addBusinessToken([waba.id]);
  const account = await db.whatsappAccount.create({
    data: { tenantId, wabaId: waba.id, phoneNumberId: phone.id, displayPhoneNumber: '+1 555 0101', accessToken: secrets.seal(token.token) },
  });
  await refreshMessagingLimit(system.deps, account.id);
  const campaign = await system.request('POST', '/api/v1/campaigns', {
    token: admin,
    body: {
      name: 'Limited',
      notificationStartHour: 0,
      notificationEndHour: 0,
      whatsappAccountId: account.id,
      notificationTemplate: { name: 'spins_added', language: 'es' },
    },
  });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Comment on our post', platform: 'INSTAGRAM', actionType: 'COMMENT', spinsReward: 2, verificationStrategy: 'HONOR_SYSTEM' },
  });
  for (let i = 0; i < 3; i++) {
    const user = await system.request('POST', '/api/v1/end-users', {
      token: admin,
      body: { name: `L${i}`, phone: `+5196000000${i}`, whatsappOptIn: { source: 'signup-form' } },
    });
    const claim = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: tokens.endUser(tenantId, user.body.id), body: {} });
    expect(claim.status).toBe(202);
  }

  const statuses = () => db.claim.findMany({ where: { tenantId }, select: { notificationStatus: true, notificationReason: true } });
  await eventually(
    async () => {
      const rows = await statuses();
      const sent = rows.filter((row) => row.notificationStatus === 'SENT').length;
      const waiting = rows.filter((row) => row.notificationStatus === 'WAITING_FOR_WINDOW' && row.notificationReason === 'MESSAGING_LIMIT').length;
      return sent === 1 && waiting === 2;
    },
    'one sent and two waiting for the messaging limit',
    60_000,
  );
  expect((await statuses()).filter((row) => row.notificationStatus === 'FAILED')).toHaveLength(0);
  expect(business.overLimit).toBe(0);

  business.messagingLimit = 'TIER_2K';
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: waba.id,
        time: Math.floor(Date.now() / 1000),
        changes: [{ field: 'business_capability_update', value: { whatsapp_business_manager_messaging_limit: 'TIER_2K' } }],
      },
    ],
  });
  const delivered = await system.request('POST', '/webhooks/meta', {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, fakeMeta.appSecret) },
  });
  expect(delivered.status).toBe(200);
  // The waiting ones wait ~24 h (or 1 h held) on their timers: only the signal can send them now.
  await eventually(async () => (await statuses()).every((row) => row.notificationStatus === 'SENT'), 'all three sent after the raise', 60_000);
  expect(fakeMeta.sentMessages.filter((message) => message.phoneNumberId === phone.id)).toHaveLength(3);
  expect(business.overLimit).toBe(0);
});
