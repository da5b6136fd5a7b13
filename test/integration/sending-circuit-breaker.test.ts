// The sending circuit breaker against a fake Cloud API that answers like Meta: 131048 (spam
// restriction) pauses the number and 368 / 131042 the whole account instead of failing one message
// and trying the next; the notifications wait with SENDING_PAUSED; one probe per interval tests
// Meta again; the tenant sees `sendingPaused` and can resume; one warn line per pause. Quality RED
// pauses the number too. Rows and what the fake received are asserted, never timings.
import { randomUUID } from 'node:crypto';
import { createNotificationActivities } from '../../activities/notifications.js';
import { decideAccountEvent } from '../../src/webhooks/account-events.js';
import { applyAccountEvent } from '../../src/webhooks/apply-account-event.js';
import { claimWorkflowId } from '../../workflows/definitions.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv, seedClaim, verifyByHonorSystem } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
const logLines: string[] = [];
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'breaker-secret' });
  system = await startTestSystem({ env: fakeMetaEnv(fakeMeta), worker: false, logLines });
});

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const db = () => system.deps.db;
const activities = () => createNotificationActivities(system.deps);
const row = (claimId: string) => db().claim.findUniqueOrThrow({ where: { id: claimId } });
const account = (accountId: string) => db().whatsappAccount.findUniqueOrThrow({ where: { id: accountId } });
const sendsFrom = (phoneNumberId: string) => fakeMeta.graphRequests({ method: 'POST', path: `/${phoneNumberId}/messages` }).length;
const plan = (claimId: string) =>
  activities().planNotification({ claimId, now: new Date().toISOString(), ignoreWindow: false, maxDelayMs: 7 * 86_400_000 });
const pauseWarnings = () => logLines.filter((line) => line.includes('WhatsApp sending paused')).length;

/** A tenant with a WABA of `numbers` Cloud API numbers, a campaign on the first, and `claims` verified claims (one user each). */
async function tenantWithClaims(claims: number, numbers = 1) {
  const first = await seedClaim(db(), system.deps.secrets, {});
  const waba = fakeMeta.addWaba({ name: 'Breaker WABA' });
  const phones = Array.from({ length: numbers }, () => fakeMeta.addPhoneNumber(waba.id));
  fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'es', bodyText: 'Hola {{1}}: {{2}} sumó {{3}} giros. {{4}}' });
  const token = fakeMeta.addBusinessToken([waba.id]);
  const accounts = [];
  for (const phone of phones) {
    accounts.push(
      await db().whatsappAccount.create({
        data: {
          tenantId: first.tenantId,
          wabaId: waba.id,
          phoneNumberId: phone.id,
          displayPhoneNumber: `+1 555 ${phone.id.slice(-4)}`,
          accessToken: system.deps.secrets.seal(token.token),
        },
      }),
    );
  }
  await db().campaign.update({
    where: { id: first.campaignId },
    data: { whatsappAccountId: accounts[0]!.id, notificationTemplateName: 'spins_added', notificationTemplateLanguage: 'es' },
  });
  const claimIds = [first.claimId];
  for (let i = 1; i < claims; i++) {
    const user = await db().endUser.create({
      data: {
        tenantId: first.tenantId,
        name: `U${i}`,
        phone: `+5198000${String(i).padStart(4, '0')}${Math.floor(Math.random() * 10)}`,
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
  return { tenantId: first.tenantId, campaignId: first.campaignId, waba, phones, accounts, claimIds };
}

test('131048 pauses the number: the message waits (SENDING_PAUSED), the next one is not tried, one warning; a probe an interval later resumes it', async () => {
  const world = await tenantWithClaims(3);
  const [first, second, third] = world.claimIds as [string, string, string];
  const phone = world.phones[0]!;
  const accountId = world.accounts[0]!.id;
  phone.spamRestricted = true;
  const warningsBefore = pauseWarnings();

  const refused = await activities().sendNotification({ claimId: first });
  expect(refused).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', held: true });
  expect(await row(first)).toMatchObject({
    notificationStatus: 'WAITING_FOR_WINDOW',
    notificationReason: 'SENDING_PAUSED',
    notificationAttemptId: null,
  });
  expect(await account(accountId)).toMatchObject({ sendingPausedCode: '131048' });
  expect(sendsFrom(phone.id)).toBe(1);

  // The next notifications of the number are not tried: they wait for the probe.
  expect(await activities().sendNotification({ claimId: second })).toMatchObject({ held: true });
  const waiting = await plan(third);
  expect(waiting).toMatchObject({ action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW' });
  expect(Date.parse((waiting as { notBefore: string }).notBefore)).toBeGreaterThan(Date.now() + HOUR_MS / 2);
  expect(await row(third)).toMatchObject({ notificationReason: 'SENDING_PAUSED' });
  expect(sendsFrom(phone.id)).toBe(1);
  expect(pauseWarnings() - warningsBefore).toBe(1);

  // The tenant sees the pause.
  const admin = tokens.tenantAdmin(world.tenantId);
  const listed = await system.request('GET', '/api/v1/whatsapp/accounts', { token: admin });
  expect(listed.body.accounts[0].sendingPaused).toEqual({
    code: '131048',
    since: expect.any(String),
    reason: expect.stringMatching(/blocked or reported/),
  });

  // An interval later one notification probes; Meta still refuses: still paused, the probe slot is used.
  await db().whatsappAccount.update({ where: { id: accountId }, data: { sendingProbeAt: new Date(Date.now() - 2 * HOUR_MS) } });
  expect(await plan(second)).toMatchObject({ action: 'send' });
  expect(await plan(third)).toMatchObject({ action: 'wait' });
  expect(await activities().sendNotification({ claimId: second })).toMatchObject({ held: true });
  expect(sendsFrom(phone.id)).toBe(2);
  expect(await plan(second)).toMatchObject({ action: 'wait' });
  expect(pauseWarnings() - warningsBefore).toBe(1);

  // Meta lifts the restriction; the next probe goes out and resumes the number.
  phone.spamRestricted = false;
  await db().whatsappAccount.update({ where: { id: accountId }, data: { sendingProbeAt: new Date(Date.now() - 2 * HOUR_MS) } });
  expect(await plan(third)).toMatchObject({ action: 'send' });
  expect((await activities().sendNotification({ claimId: third })).notificationStatus).toBe('SENT');
  expect(await account(accountId)).toMatchObject({ sendingPausedAt: null, sendingPausedCode: null });
  expect(await plan(first)).toMatchObject({ action: 'send' });
});

test('368 (policy block) pauses every number of the account; the tenant resumes it with POST resume-sending', async () => {
  const world = await tenantWithClaims(2, 2);
  const [first, second] = world.claimIds as [string, string];
  const [numberA, numberB] = world.phones as [(typeof world.phones)[0], (typeof world.phones)[0]];
  world.waba.blockedCode = 368;
  // The second claim's campaign sends from the account's other number.
  const other = await db().campaign.create({
    data: {
      tenantId: world.tenantId,
      name: 'Other number',
      notificationStartHour: 0,
      notificationEndHour: 0,
      whatsappAccountId: world.accounts[1]!.id,
      notificationTemplateName: 'spins_added',
      notificationTemplateLanguage: 'es',
    },
  });
  await db().claim.update({ where: { id: second }, data: { campaignId: other.id } });

  expect(await activities().sendNotification({ claimId: first })).toMatchObject({ held: true });
  for (const { id } of world.accounts) expect(await account(id)).toMatchObject({ sendingPausedCode: '368' });
  expect(await plan(second)).toMatchObject({ action: 'wait' });
  expect(sendsFrom(numberB.id)).toBe(0);
  expect(sendsFrom(numberA.id)).toBe(1);

  world.waba.blockedCode = undefined;
  const admin = tokens.tenantAdmin(world.tenantId);
  const resumed = await system.request('POST', `/api/v1/whatsapp/accounts/${world.accounts[1]!.id}/resume-sending`, { token: admin });
  expect(resumed.status).toBe(200);
  expect(resumed.body.sendingPaused).toBeNull();
  for (const { id } of world.accounts) expect(await account(id)).toMatchObject({ sendingPausedAt: null });
  expect((await activities().sendNotification({ claimId: second })).notificationStatus).toBe('SENT');

  const foreign = await system.request('POST', `/api/v1/whatsapp/accounts/${world.accounts[0]!.id}/resume-sending`, {
    token: tokens.tenantAdmin((await seedClaim(db(), system.deps.secrets, {})).tenantId),
  });
  expect(foreign.status).toBe(404);
});

test('131042 (payment problem) is account-wide too, and its message is not failed', async () => {
  const world = await tenantWithClaims(1);
  world.waba.blockedCode = 131042;
  expect(await activities().sendNotification({ claimId: world.claimIds[0]! })).toMatchObject({ held: true });
  expect(await row(world.claimIds[0]!)).toMatchObject({ notificationStatus: 'WAITING_FOR_WINDOW', notificationReason: 'SENDING_PAUSED' });
  expect(await account(world.accounts[0]!.id)).toMatchObject({ sendingPausedCode: '131042' });
});

test('a quality rating of RED (FLAGGED) pauses the number with QUALITY_RED without probes; UNFLAGGED lifts it', async () => {
  const world = await tenantWithClaims(1);
  const phone = world.phones[0]!;
  const event = (name: string) =>
    decideAccountEvent('phone_number_quality_update', { event: name, display_phone_number: `1555${phone.id.slice(-4)}` }, world.waba.id);
  const deps = { db: db(), temporal: system.deps.temporal, config: system.config, logger: system.deps.logger };
  await applyAccountEvent(deps, event('FLAGGED') as Exclude<ReturnType<typeof decideAccountEvent>, { malformed: string }>, new Date());
  expect(await account(world.accounts[0]!.id)).toMatchObject({ qualityRating: 'RED', sendingPausedCode: 'QUALITY_RED' });
  await db().whatsappAccount.update({ where: { id: world.accounts[0]!.id }, data: { sendingProbeAt: new Date(Date.now() - 2 * HOUR_MS) } });
  expect(await plan(world.claimIds[0]!)).toMatchObject({ action: 'wait' });
  expect(await row(world.claimIds[0]!)).toMatchObject({ notificationReason: 'SENDING_PAUSED' });
  expect(sendsFrom(phone.id)).toBe(0);

  await applyAccountEvent(deps, event('UNFLAGGED') as Exclude<ReturnType<typeof decideAccountEvent>, { malformed: string }>, new Date());
  expect(await account(world.accounts[0]!.id)).toMatchObject({ sendingPausedAt: null });
  expect(await plan(world.claimIds[0]!)).toMatchObject({ action: 'send' });
});

test("a YELLOW rating halves the number's send rate through its fairness key's weight; GREEN restores it", async () => {
  const world = await tenantWithClaims(1);
  const phone = world.phones[0]!;
  const deps = { db: db(), temporal: system.deps.temporal, config: system.config, logger: system.deps.logger };
  const rated = (rating: string) =>
    decideAccountEvent(
      'phone_number_quality_update',
      { event: 'RATING_CHANGED', quality_rating: rating, display_phone_number: `1555${phone.id.slice(-4)}` },
      world.waba.id,
    ) as Exclude<ReturnType<typeof decideAccountEvent>, { malformed: string }>;
  const weights = async () => {
    const described = await system.deps.temporal.workflowService.describeTaskQueue({
      namespace: system.config.temporal.namespace,
      taskQueue: { name: system.config.temporal.sendTaskQueue },
      taskQueueType: 2,
      reportConfig: true,
    });
    return described.config?.fairnessWeightOverrides ?? {};
  };

  await applyAccountEvent(deps, rated('YELLOW'), new Date());
  expect(await account(world.accounts[0]!.id)).toMatchObject({ qualityRating: 'YELLOW', sendingPausedAt: null });
  expect((await weights())[`wa:${phone.id}`]).toBe(0.5);

  await applyAccountEvent(deps, rated('GREEN'), new Date());
  expect((await weights())[`wa:${phone.id}`]).toBeUndefined();
});
