// The notification activities on the WhatsApp Cloud API path, against the fake Graph API over real
// HTTP and a real database: which account (and whose token) carries a claim's message, template vs
// text by the 24-hour session, and what Meta's rate limits, token rejections and lost answers do to
// the notification. Assertions are on what the fake Meta received and accepted, and on the rows.
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createClaimActivities } from '../../activities/claims.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { rateLimitReply, startFakeMeta, type FakeMeta, type FakeSentMessage } from '../fakes/fake-meta.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { claimWorkflowId } from '../../workflows/definitions.js';
import { testConfig } from '../workflows/claim-support.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { seedClaim, fakeMetaEnv, seedVerifiedClaim, notificationActivitiesFor } from '../support/factories.js';

const DAY_MS = 86_400_000;
const TEMPLATE = { name: 'spins_added', language: 'es' };

let database: TestDatabase;
let fakeMeta: FakeMeta;
let tenantProvider: FakeHttpServer;
let platformProvider: FakeHttpServer;

const config = () =>
  testConfig({
    ...fakeMetaEnv(fakeMeta),
    WHATSAPP_API_URL: `${platformProvider.url}/platform/send`,
    WHATSAPP_API_KEY: 'platform-key',
    OUTBOUND_HTTP_TIMEOUT: '500ms',
  });
const secrets = () => createSecretBox([config().tokenEncryptionKey]);
const activities = () => notificationActivitiesFor(config(), database.db);

beforeAll(async () => {
  database = await createTestDatabase();
  fakeMeta = await startFakeMeta({ appSecret: 'cloud-notification-secret' });
  tenantProvider = await startFakeHttpServer(() => ({ body: { id: `tenant-msg-${tenantProvider.requests.length}` } }));
  platformProvider = await startFakeHttpServer(() => ({ body: { messageId: `platform-msg-${platformProvider.requests.length}` } }));
});

afterAll(async () => {
  await fakeMeta?.close();
  await tenantProvider?.close();
  await platformProvider?.close();
  await database?.close();
});

const verifiedClaim = (options: Parameters<typeof seedClaim>[2] = {}) => seedVerifiedClaim(database.db, secrets(), options);

/** A WABA with one registered number and the approved template in the fake, and its business token. */
function cloudNumber() {
  const waba = fakeMeta.addWaba({ name: 'Acme WABA' });
  const phone = fakeMeta.addPhoneNumber(waba.id, { displayPhoneNumber: `+1 555-010-${String(fakeMeta.state.phoneNumbers.size).padStart(4, '0')}` });
  fakeMeta.addTemplate(waba.id, { ...TEMPLATE, bodyText: 'Hola {{1}}: tu tarea {{2}} sumó {{3}} giros. {{4}}' });
  // The token may act on this WABA and number only: using it for anything else fails at Meta.
  const token = fakeMeta.addBusinessToken([waba.id], { assets: [waba.id, phone.id] });
  return { wabaId: waba.id, phoneNumberId: phone.id, token: token.token };
}

/** A WhatsappAccount row for `number`, its token sealed as the app stores it. */
async function storeAccount(
  tenantId: string,
  number: ReturnType<typeof cloudNumber>,
  init: { status?: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED'; connectedAt?: Date } = {},
) {
  return database.db.whatsappAccount.create({
    data: {
      tenantId,
      wabaId: number.wabaId,
      phoneNumberId: number.phoneNumberId,
      displayPhoneNumber: `+1 555 ${number.phoneNumberId.slice(-4)}`,
      accessToken: secrets().seal(number.token),
      status: init.status ?? 'ACTIVE',
      ...(init.connectedAt ? { connectedAt: init.connectedAt } : {}),
    },
  });
}

const row = (claimId: string) => database.db.claim.findUniqueOrThrow({ where: { id: claimId } });
const messagesOf = (claimId: string): FakeSentMessage[] => fakeMeta.sentMessages.filter((message) => message.bizOpaqueCallbackData === claimId);
const sendsTo = (phoneNumberId: string) => fakeMeta.graphRequests({ method: 'POST', path: `/${phoneNumberId}/messages` });

test("the campaign's own account is used before the tenant's provider and default account, with its own token; a template when the user has not written in 24 h", async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send`, providerKey: 'tenant-key' });
  const olderDefault = cloudNumber();
  await storeAccount(claim.tenantId, olderDefault, { connectedAt: new Date(Date.now() - 30 * DAY_MS) });
  const campaignNumber = cloudNumber();
  const campaignAccount = await storeAccount(claim.tenantId, campaignNumber);
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: campaignAccount.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  const tenantProviderBefore = tenantProvider.requests.length;

  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('SENT');

  const [message, ...others] = messagesOf(claim.claimId);
  expect(others).toHaveLength(0);
  expect(message).toMatchObject({ phoneNumberId: campaignNumber.phoneNumberId, token: campaignNumber.token, waId: '51987654321', type: 'template' });
  expect(message!.template).toEqual({
    name: TEMPLATE.name,
    language: TEMPLATE.language,
    bodyParameters: ['Ana', 'Comment on our post', '3', `https://campaigns.example.test/campaigns/${claim.campaignId}`],
  });
  const [request] = sendsTo(campaignNumber.phoneNumberId);
  expect(request!.headers.authorization).toBe(`Bearer ${campaignNumber.token}`);
  expect(request!.appsecretProof).toBe(fakeMeta.proofFor(campaignNumber.token));
  expect(sendsTo(olderDefault.phoneNumberId)).toHaveLength(0);
  expect(tenantProvider.requests.length).toBe(tenantProviderBefore);

  expect(await row(claim.claimId)).toMatchObject({
    notificationStatus: 'SENT',
    notificationChannel: 'WHATSAPP_CLOUD',
    notificationProviderMessageId: message!.id,
    notificationError: null,
  });
});

test('a user who wrote in the last 24 h gets the text message, even when the campaign has a template', async () => {
  const claim = await verifiedClaim();
  const number = cloudNumber();
  const account = await storeAccount(claim.tenantId, number);
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  const wroteAt = Date.now() - 2 * 3_600_000;
  await database.db.endUser.update({ where: { id: claim.userId }, data: { lastInboundAt: new Date(wroteAt) } });
  fakeMeta.recordInboundMessage(number.phoneNumberId, '+51987654321', wroteAt); // Meta enforces the same window

  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('SENT');
  const [message, ...others] = messagesOf(claim.claimId);
  expect(others).toHaveLength(0);
  expect(message).toMatchObject({ type: 'text', phoneNumberId: number.phoneNumberId, token: number.token });
  expect(message!.template).toBeUndefined();
  expect(message!.text).toContain('Ana');
  expect(message!.text).toContain('Comment on our post');
  expect(message!.text).toContain('3 spins');
  expect(message!.text).toContain(`https://campaigns.example.test/campaigns/${claim.campaignId}`);
});

test('the tenant default is its earliest connected ACTIVE account; an older one that needs reconnecting is passed over', async () => {
  const claim = await verifiedClaim();
  const now = Date.now();
  const stale = cloudNumber();
  await storeAccount(claim.tenantId, stale, { status: 'NEEDS_REAUTH', connectedAt: new Date(now - 90 * DAY_MS) });
  const earliest = cloudNumber();
  await storeAccount(claim.tenantId, earliest, { connectedAt: new Date(now - 60 * DAY_MS) });
  const newer = cloudNumber();
  await storeAccount(claim.tenantId, newer, { connectedAt: new Date(now - 1 * DAY_MS) });
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  const platformBefore = platformProvider.requests.length;

  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result).toEqual({ notificationStatus: 'SENT' });
  const [message, ...others] = messagesOf(claim.claimId);
  expect(others).toHaveLength(0);
  expect(message).toMatchObject({ phoneNumberId: earliest.phoneNumberId, token: earliest.token });
  expect(sendsTo(stale.phoneNumberId)).toHaveLength(0);
  expect(sendsTo(newer.phoneNumberId)).toHaveLength(0);
  expect(platformProvider.requests.length).toBe(platformBefore);
});

test("another tenant's account id put on the campaign is never used", async () => {
  const owner = await verifiedClaim();
  const foreignNumber = cloudNumber();
  const foreignAccount = await storeAccount(owner.tenantId, foreignNumber);

  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/other`, providerKey: 'other-tenant-key' });
  // The API refuses this; a row written around it must still not make us send as someone else.
  await database.db.campaign.update({ where: { id: claim.campaignId }, data: { whatsappAccountId: foreignAccount.id } });
  const plan = await activities().planNotification({
    claimId: claim.claimId,
    now: new Date().toISOString(),
    ignoreWindow: false,
    maxDelayMs: DAY_MS,
  });
  expect(plan.action).toBe('send');

  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('SENT');
  expect(sendsTo(foreignNumber.phoneNumberId)).toHaveLength(0);
  expect(fakeMeta.sentMessages.filter((message) => message.token === foreignNumber.token)).toHaveLength(0);
  const request = tenantProvider.requests.at(-1)!;
  expect(request.path).toBe('/tenant/other');
  expect(request.headers.authorization).toBe('Bearer other-tenant-key');
  expect(await row(claim.claimId)).toMatchObject({ notificationChannel: 'TENANT_PROVIDER' });
});

test('Meta 130429 becomes a RateLimited retry with its delay, the stamp is released, and the retry sends exactly once', async () => {
  const claim = await verifiedClaim();
  const number = cloudNumber();
  const account = await storeAccount(claim.tenantId, number);
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  const throttle = fakeMeta.failNext({
    method: 'POST',
    path: `/${number.phoneNumberId}/messages`,
    ...rateLimitReply({ code: 130429, retryAfterSeconds: 30 }),
  });

  const failure = await activities()
    .sendNotification({ claimId: claim.claimId })
    .catch((error: unknown) => error);
  expect(throttle.hits).toBe(1);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'RateLimited', nextRetryDelay: 30_000, nonRetryable: false });
  expect(messagesOf(claim.claimId)).toHaveLength(0);
  const released = await row(claim.claimId);
  expect(released).toMatchObject({ notificationStatus: 'PENDING', notificationAttemptedAt: null });
  expect(released.notificationError).toMatch(/130429/);
  expect(released.notificationError).not.toContain(number.token);

  const retried = await activities().sendNotification({ claimId: claim.claimId });
  expect(retried.notificationStatus).toBe('SENT');
  expect(messagesOf(claim.claimId)).toHaveLength(1);
  expect(sendsTo(number.phoneNumberId)).toHaveLength(2);
  expect((await row(claim.claimId)).notificationError).toBeNull();
});

test('a rejected token (190) marks the account NEEDS_REAUTH and holds the notification instead of failing it or moving it elsewhere', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/held`, providerKey: 'held-key' });
  const number = cloudNumber();
  const account = await storeAccount(claim.tenantId, number);
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  fakeMeta.invalidateToken(number.token, 'revoked');
  const tenantProviderBefore = tenantProvider.requests.length;

  const first = await activities().sendNotification({ claimId: claim.claimId });
  expect(first).toMatchObject({ notificationStatus: 'PENDING', held: true });
  expect(sendsTo(number.phoneNumberId)).toHaveLength(1);
  expect(messagesOf(claim.claimId)).toHaveLength(0);

  const stored = await row(claim.claimId);
  expect(stored).toMatchObject({ status: 'VERIFIED', notificationStatus: 'PENDING', notificationAttemptedAt: null, notificationChannel: null });
  expect(stored.notificationError).toMatch(/190/);
  expect(stored.notificationError).not.toContain(number.token);
  const reauth = await database.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } });
  expect(reauth.status).toBe('NEEDS_REAUTH');
  expect(reauth.statusReason).toMatch(/token rejected/);

  // Still held on the next try, without calling Meta with the dead token or using the tenant's provider.
  const again = await activities().sendNotification({ claimId: claim.claimId });
  expect(again).toMatchObject({ notificationStatus: 'PENDING', held: true });
  expect((await row(claim.claimId)).notificationError).toMatch(/needs to be reconnected/);
  expect(sendsTo(number.phoneNumberId)).toHaveLength(1);
  expect(tenantProvider.requests.length).toBe(tenantProviderBefore);
  const plan = await activities().planNotification({
    claimId: claim.claimId,
    now: new Date().toISOString(),
    ignoreWindow: true,
    maxDelayMs: DAY_MS,
  });
  expect(plan).toMatchObject({ action: 'hold' });
});

test('an answer that comes after the client timeout is UNKNOWN, Meta holds exactly one message, and running the activity again sends nothing', async () => {
  const claim = await verifiedClaim();
  const number = cloudNumber();
  const account = await storeAccount(claim.tenantId, number);
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  // Meta carries the send out but answers after the 500 ms client timeout.
  fakeMeta.failNext({ method: 'POST', path: `/${number.phoneNumberId}/messages`, delayMs: 2_000 });

  const first = await activities().sendNotification({ claimId: claim.claimId });
  expect(first.notificationStatus).toBe('UNKNOWN');
  const unknown = await row(claim.claimId);
  expect(unknown.notificationStatus).toBe('UNKNOWN');
  expect(unknown.notificationError).toMatch(/not resent/);
  expect(unknown.notificationError).not.toContain(number.token);

  // The claim's own activities run again (a retry, a replay, a second pass of the workflow loop).
  const again = createNotificationActivities({
    config: config(),
    db: database.db,
    secrets: secrets(),
    logger: pino({ level: 'silent' }),
    graph: graphClientFromConfig(config()),
  });
  expect(await again.sendNotification({ claimId: claim.claimId })).toEqual({ notificationStatus: 'UNKNOWN' });
  expect(await again.planNotification({ claimId: claim.claimId, now: new Date().toISOString(), ignoreWindow: true, maxDelayMs: DAY_MS })).toEqual({
    action: 'done',
    notificationStatus: 'UNKNOWN',
  });
  expect(await again.markNotificationFailed({ claimId: claim.claimId, reason: 'retries exhausted' })).toBe('UNKNOWN');

  expect(sendsTo(number.phoneNumberId)).toHaveLength(1);
  expect(messagesOf(claim.claimId)).toHaveLength(1);
});

test("a reconnected account's new token is used at once by the same worker (no stale cached token)", async () => {
  const worker = activities();
  const first = await verifiedClaim();
  const number = cloudNumber();
  const account = await storeAccount(first.tenantId, number);
  await database.db.campaign.update({
    where: { id: first.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  expect((await worker.sendNotification({ claimId: first.claimId })).notificationStatus).toBe('SENT');

  // The tenant reconnects: Meta issues a new token and revokes the old one.
  const renewed = fakeMeta.addBusinessToken([number.wabaId], { assets: [number.wabaId, number.phoneNumberId] });
  fakeMeta.invalidateToken(number.token, 'revoked');
  await database.db.whatsappAccount.update({ where: { id: account.id }, data: { accessToken: secrets().seal(renewed.token) } });
  // A second user of the same campaign claims the same task.
  const user = await database.db.endUser.create({
    data: { tenantId: first.tenantId, name: 'Bea', phone: '+51911111111', whatsappOptInAt: new Date(), whatsappOptInSource: 'test-fixture' },
  });
  const secondId = randomUUID();
  await database.db.claim.create({
    data: {
      id: secondId,
      tenantId: first.tenantId,
      campaignId: first.campaignId,
      taskId: first.taskId,
      userId: user.id,
      workflowId: claimWorkflowId(secondId),
    },
  });
  const second = { claimId: secondId };
  await createClaimActivities({ db: database.db }).completeVerification(
    second.claimId,
    { kind: 'decided', verified: true, method: 'HONOR_SYSTEM' },
    new Date().toISOString(),
  );

  expect((await worker.sendNotification({ claimId: second.claimId })).notificationStatus).toBe('SENT');
  expect(messagesOf(second.claimId)).toEqual([expect.objectContaining({ token: renewed.token, phoneNumberId: number.phoneNumberId })]);
  expect((await database.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } })).status).toBe('ACTIVE');
});

// Reported bug (see the session report): the NOTIFICATION_MAX_DELAY rule ("a notice later than this
// after verification is skipped", README) is applied only while waiting for the window. A claim held
// because its account needed reconnecting is sent whenever the account comes back, however late.
test('a notification held past NOTIFICATION_MAX_DELAY is skipped with the reason when the account is reconnected, not sent weeks late', async () => {
  const claim = await seedClaim(database.db, secrets());
  await createClaimActivities({ db: database.db }).completeVerification(
    claim.claimId,
    { kind: 'decided', verified: true, method: 'HONOR_SYSTEM' },
    new Date(Date.now() - 8 * DAY_MS).toISOString(),
  );
  const number = cloudNumber();
  const account = await storeAccount(claim.tenantId, number, { status: 'NEEDS_REAUTH' });
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: { whatsappAccountId: account.id, notificationTemplateName: TEMPLATE.name, notificationTemplateLanguage: TEMPLATE.language },
  });
  // Eight days after verification the tenant reconnects the number.
  await database.db.whatsappAccount.update({ where: { id: account.id }, data: { status: 'ACTIVE', statusReason: null } });

  const plan = await activities().planNotification({
    claimId: claim.claimId,
    now: new Date().toISOString(),
    ignoreWindow: false,
    maxDelayMs: 7 * DAY_MS,
  });
  expect(plan).toEqual({ action: 'done', notificationStatus: 'SKIPPED' });
  expect((await row(claim.claimId)).notificationError).toMatch(/verification/i);
  expect(messagesOf(claim.claimId)).toHaveLength(0);
});
