// The notification activities against a real database and fake providers over real HTTP:
// channel order, at-most-once sending, and how provider failures become retries or final states.
import { ApplicationFailure } from '@temporalio/common';
import { pino } from 'pino';
import { createClaimActivities } from '../../activities/claims.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer, type FakeReply } from '../support/fake-http-server.js';
import { eventually } from '../support/eventually.js';
import { testConfig } from '../workflows/claim-support.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { type seedClaim, seedVerifiedClaim, notificationActivitiesFor } from '../support/factories.js';

let database: TestDatabase;
let tenantProvider: FakeHttpServer;
let platformProvider: FakeHttpServer;
const tenantReplies: FakeReply[] = [];
const config = () =>
  testConfig({
    WHATSAPP_API_URL: `${platformProvider.url}/platform/send`,
    WHATSAPP_API_KEY: 'platform-key',
    WHATSAPP_INSTANCE_ID: 'instance-9',
    OUTBOUND_HTTP_TIMEOUT: '500ms',
  });
const secrets = () => createSecretBox([config().tokenEncryptionKey]);
const activities = () => notificationActivitiesFor(config(), database.db);

beforeAll(async () => {
  database = await createTestDatabase();
  tenantProvider = await startFakeHttpServer(() => tenantReplies.shift() ?? { body: { id: `tenant-msg-${tenantProvider.requests.length}` } });
  platformProvider = await startFakeHttpServer(() => ({ body: { messageId: `platform-msg-${platformProvider.requests.length}` } }));
});

afterAll(async () => {
  await tenantProvider.close();
  await platformProvider.close();
  await database.close();
});

const verifiedClaim = (options: Parameters<typeof seedClaim>[2] = {}) => seedVerifiedClaim(database.db, secrets(), options);

const row = (claimId: string) => database.db.claim.findUniqueOrThrow({ where: { id: claimId } });

test('crediting a verified claim twice creates one ledger entry', async () => {
  const claim = await verifiedClaim();
  const again = await createClaimActivities({ db: database.db }).completeVerification(
    claim.claimId,
    { kind: 'decided', verified: true, method: 'HONOR_SYSTEM' },
    new Date().toISOString(),
  );
  expect(again).toMatchObject({ status: 'VERIFIED', spinsAwarded: 3 });
  expect(await database.db.spinCredit.count({ where: { claimId: claim.claimId } })).toBe(1);
});

test("the tenant's own provider is used before the platform's, with the contract's body", async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send`, providerKey: 'tenant-secret' });
  const platformBefore = platformProvider.requests.length;
  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('SENT');
  const request = tenantProvider.requests.at(-1)!;
  expect(request.path).toBe('/tenant/send');
  expect(request.headers.authorization).toBe('Bearer tenant-secret');
  expect(Object.keys(request.body as object).sort()).toEqual(['message', 'number', 'sender']);
  expect(platformProvider.requests.length).toBe(platformBefore);
  expect(await row(claim.claimId)).toMatchObject({ notificationChannel: 'TENANT_PROVIDER', notificationStatus: 'SENT' });
});

test('without tenant channels the platform provider gets {number, message, instanceId}', async () => {
  const claim = await verifiedClaim();
  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('SENT');
  const request = platformProvider.requests.at(-1)!;
  expect(request.headers.authorization).toBe('Bearer platform-key');
  expect(request.body).toMatchObject({ instanceId: 'instance-9' });
  expect(Object.keys(request.body as object).sort()).toEqual(['instanceId', 'message', 'number']);
  const stored = await row(claim.claimId);
  expect(stored).toMatchObject({ notificationChannel: 'PLATFORM_PROVIDER' });
  expect(stored.notificationProviderMessageId).toMatch(/^platform-msg-/);
});

test('a tenant whose only WhatsApp account needs re-authorisation is held, not sent elsewhere', async () => {
  const claim = await verifiedClaim();
  await database.db.whatsappAccount.create({
    data: {
      tenantId: claim.tenantId,
      wabaId: 'waba-held',
      phoneNumberId: `pn-held-${claim.claimId}`,
      status: 'NEEDS_REAUTH',
      accessToken: null,
    },
  });
  const platformBefore = platformProvider.requests.length;
  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result).toMatchObject({ held: true });
  expect(platformProvider.requests.length).toBe(platformBefore);
  const stored = await row(claim.claimId);
  expect(stored.notificationStatus).toBe('PENDING');
  expect(stored.notificationAttemptedAt).toBeNull();
  expect(stored.notificationError).toMatch(/needs to be reconnected/);
});

test('a reply that never comes is recorded as UNKNOWN and never resent', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
  tenantReplies.push({ delayMs: 1_500, body: { id: 'late' } });
  const before = tenantProvider.requests.length;
  const first = await activities().sendNotification({ claimId: claim.claimId });
  expect(first.notificationStatus).toBe('UNKNOWN');
  const second = await activities().sendNotification({ claimId: claim.claimId });
  expect(second.notificationStatus).toBe('UNKNOWN');
  expect(tenantProvider.requests.length - before).toBe(1);
  expect((await row(claim.claimId)).notificationError).toMatch(/not resent/);
});

test('an attempt that died before recording its outcome is not repeated', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
  await database.db.claim.update({
    where: { id: claim.claimId },
    data: { notificationStatus: 'SENDING', notificationAttemptedAt: new Date() },
  });
  const before = tenantProvider.requests.length;
  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('UNKNOWN');
  expect(tenantProvider.requests.length).toBe(before);
});

test('a 429 with Retry-After becomes a retry after that delay, and the retry sends exactly once', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
  tenantReplies.push({ status: 429, headers: { 'retry-after': '7' }, body: { error: 'slow down' } });
  const before = tenantProvider.requests.length;
  const failure = await activities()
    .sendNotification({ claimId: claim.claimId })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'RateLimited', nextRetryDelay: 7_000, nonRetryable: false });
  expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'PENDING', notificationAttemptedAt: null });

  const retried = await activities().sendNotification({ claimId: claim.claimId });
  expect(retried.notificationStatus).toBe('SENT');
  expect(tenantProvider.requests.length - before).toBe(2);
});

test('a provider that is unavailable (503 with Retry-After) is retried with backoff; a 400 fails the notification', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
  tenantReplies.push({ status: 503, headers: { 'retry-after': '5' }, body: { error: 'maintenance' } });
  const failure = await activities()
    .sendNotification({ claimId: claim.claimId })
    .catch((error: unknown) => error);
  expect(failure).toMatchObject({ type: 'Transient', nonRetryable: false });

  tenantReplies.push({ status: 400, body: { error: 'invalid number' } });
  const result = await activities().sendNotification({ claimId: claim.claimId });
  expect(result.notificationStatus).toBe('FAILED');
  expect((await row(claim.claimId)).notificationError).toMatch(/tenant's WhatsApp provider/);
});

test('the API key never appears in what is stored about a failure', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send`, providerKey: 'super-secret-key-123' });
  tenantReplies.push({ status: 401, body: { error: 'bad key super-secret-key-123' } });
  await activities().sendNotification({ claimId: claim.claimId });
  const rows = await database.query<{ notificationError: string | null }>('SELECT "notificationError" FROM "SocialTaskCompletion" WHERE id = $1', [
    claim.claimId,
  ]);
  expect(rows[0]!.notificationError ?? '').not.toContain('super-secret-key-123');
});

test('a gateway 502 is UNKNOWN: the provider may have taken the message, so it is never sent again', async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
  tenantReplies.push({ status: 502, body: 'Bad Gateway' });
  const before = tenantProvider.requests.length;
  const first = await activities().sendNotification({ claimId: claim.claimId });
  expect(first.notificationStatus).toBe('UNKNOWN');
  const again = await activities().sendNotification({ claimId: claim.claimId });
  expect(again.notificationStatus).toBe('UNKNOWN');
  expect(tenantProvider.requests.length - before).toBe(1);
  expect((await row(claim.claimId)).notificationError).toMatch(/HTTP 502.*not resent/);
});

describe('outcome writes belong to the attempt that made them', () => {
  /** What an attempt that stamped the send and then died leaves behind. */
  const leaveStampOfDeadAttempt = (claimId: string) =>
    database.db.claim.update({
      where: { id: claimId },
      data: { notificationStatus: 'SENDING', notificationAttemptedAt: new Date(), notificationAttemptId: 'an-attempt-that-died' },
    });
  const planNow = (claimId: string) =>
    activities().planNotification({ claimId, now: new Date().toISOString(), ignoreWindow: false, maxDelayMs: 86_400_000 });

  const slowActivities = () => {
    const config = testConfig({
      OUTBOUND_HTTP_TIMEOUT: '5s',
      WHATSAPP_API_URL: `${platformProvider.url}/platform/send`,
      WHATSAPP_API_KEY: 'platform-key',
    });
    return createNotificationActivities({
      config,
      db: database.db,
      secrets: secrets(),
      logger: pino({ level: 'silent' }),
      graph: graphClientFromConfig(config),
    });
  };

  test("a late attempt that learns 'not sent' cannot release its successor's UNKNOWN back to PENDING", async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    tenantReplies.push({ delayMs: 1_500, status: 503, headers: { 'retry-after': '1' }, body: { error: 'busy' } });
    const before = tenantProvider.requests.length;
    // The first attempt outlives its timeout (Temporal has started the next one) ...
    const late = slowActivities()
      .sendNotification({ claimId: claim.claimId })
      .catch((error: unknown) => error);
    await eventually(async () => (await row(claim.claimId)).notificationStatus === 'SENDING', 'the first attempt to stamp');
    // ... the successor finds its stamp and records UNKNOWN without sending ...
    const successor = await activities().sendNotification({ claimId: claim.claimId });
    expect(successor.notificationStatus).toBe('UNKNOWN');
    // ... then the late attempt's answer arrives: it must not undo that.
    await late;
    expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'UNKNOWN' });
    expect(tenantProvider.requests.length - before).toBe(1);
    const afterwards = await activities().sendNotification({ claimId: claim.claimId });
    expect(afterwards.notificationStatus).toBe('UNKNOWN');
    expect(tenantProvider.requests.length - before).toBe(1);
  });

  test('a late attempt whose message did go out turns its own UNKNOWN into SENT', async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    tenantReplies.push({ delayMs: 1_500, body: { id: 'late-but-sent' } });
    const late = slowActivities().sendNotification({ claimId: claim.claimId });
    await eventually(async () => (await row(claim.claimId)).notificationStatus === 'SENDING', 'the first attempt to stamp');
    expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('UNKNOWN');
    await late;
    expect(await row(claim.claimId)).toMatchObject({ notificationStatus: 'SENT', notificationProviderMessageId: 'late-but-sent' });
  });

  test('each attempt is recorded by its id: the one found interrupted says so, then SENT when its late answer arrives', async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    tenantReplies.push({ delayMs: 1_500, body: { id: 'late-and-recorded' } });
    const late = slowActivities().sendNotification({ claimId: claim.claimId });
    await eventually(async () => (await row(claim.claimId)).notificationStatus === 'SENDING', 'the first attempt to stamp');
    const stampedBy = (await row(claim.claimId)).notificationAttemptId!;
    const attempt = () => database.db.notificationAttempt.findUniqueOrThrow({ where: { id: stampedBy } });
    expect(await attempt()).toMatchObject({ claimId: claim.claimId, tenantId: claim.tenantId, outcome: null, endedAt: null });

    expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('UNKNOWN');
    expect(await attempt()).toMatchObject({ outcome: 'INTERRUPTED' });
    await late;
    const ended = await attempt();
    expect(ended).toMatchObject({ outcome: 'SENT', detail: 'message id late-and-recorded' });
    expect(ended.endedAt!.getTime()).toBeGreaterThanOrEqual(ended.startedAt.getTime());
    // The successor found the stamp and sent nothing: no attempt of its own.
    expect(await database.db.notificationAttempt.count({ where: { claimId: claim.claimId } })).toBe(1);
  });

  test('an attempt released by a 429 and its retry are two attempts: RELEASED, then SENT', async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    tenantReplies.push({ status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } });
    await expect(activities().sendNotification({ claimId: claim.claimId })).rejects.toBeInstanceOf(ApplicationFailure);
    expect((await activities().sendNotification({ claimId: claim.claimId })).notificationStatus).toBe('SENT');
    const attempts = await database.db.notificationAttempt.findMany({ where: { claimId: claim.claimId } });
    expect(attempts.map((each) => each.outcome).sort()).toEqual(['RELEASED', 'SENT']);
    expect(attempts.find((each) => each.outcome === 'SENT')!.id).toBe((await row(claim.claimId)).notificationAttemptId);
  });

  test('a retry that finds a stamp while the channel is held records UNKNOWN; a later skip cannot hide it', async () => {
    const claim = await verifiedClaim();
    await database.db.whatsappAccount.create({
      data: {
        tenantId: claim.tenantId,
        wabaId: 'waba-held',
        phoneNumberId: `held-${claim.claimId}`,
        status: 'NEEDS_REAUTH',
        accessToken: secrets().seal('t'),
      },
    });
    await leaveStampOfDeadAttempt(claim.claimId);
    const result = await activities().sendNotification({ claimId: claim.claimId });
    expect(result.notificationStatus).toBe('UNKNOWN');
    expect(result.held).toBeUndefined();

    await database.db.campaign.update({ where: { id: claim.campaignId }, data: { notificationEnabled: false } });
    const plan = await planNow(claim.claimId);
    expect(plan).toMatchObject({ action: 'done', notificationStatus: 'UNKNOWN' });
  });

  test('planning over a stamp left by a dead attempt records UNKNOWN instead of skipping it', async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    await database.db.campaign.update({ where: { id: claim.campaignId }, data: { notificationEnabled: false } });
    await leaveStampOfDeadAttempt(claim.claimId);
    const plan = await planNow(claim.claimId);
    expect(plan).toMatchObject({ action: 'done', notificationStatus: 'UNKNOWN' });
  });
});
