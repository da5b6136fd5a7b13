// How many statements the worker sends to PostgreSQL to plan and to send one notification, per
// channel: each is a round trip on the drain's hot path, so a change that adds one shows here. And
// that the send, which reads everything it decides on in one statement, still honours what changed
// since the plan. The
// counts are exact (the path is deterministic for a given row state), counted from the Prisma
// client's query events, which show a transaction's COMMIT (or ROLLBACK) but not its BEGIN: each
// ending counts one more round trip.
import { pino } from 'pino';
import { createClaimActivities } from '../../activities/claims.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { recordMessageStatus } from '../../src/notifications/message-status.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import { fakeMetaEnv, seedClaim } from '../support/factories.js';
import { testConfig } from '../workflows/claim-support.js';

let database: TestDatabase;
let fakeMeta: FakeMeta;
let tenantProvider: FakeHttpServer;
let platformProvider: FakeHttpServer;
const issued: string[] = [];
let phoneCounter = 0;

const config = () =>
  testConfig({
    ...fakeMetaEnv(fakeMeta),
    WHATSAPP_API_URL: `${platformProvider.url}/platform/send`,
    WHATSAPP_API_KEY: 'platform-key',
    OUTBOUND_HTTP_TIMEOUT: '2s',
  });
const secrets = () => createSecretBox([config().tokenEncryptionKey]);
const activities = () =>
  createNotificationActivities({
    config: config(),
    db: database.db,
    secrets: secrets(),
    logger: pino({ level: 'silent' }),
    graph: graphClientFromConfig(config()),
  });

beforeAll(async () => {
  database = await createTestDatabase({ onQuery: (query) => issued.push(query.query) });
  fakeMeta = await startFakeMeta({ appSecret: 'query-count-secret' });
  tenantProvider = await startFakeHttpServer(() => ({ body: { id: `tenant-msg-${tenantProvider.requests.length}` } }));
  platformProvider = await startFakeHttpServer(() => ({ body: { messageId: `platform-msg-${platformProvider.requests.length}` } }));
});

afterAll(async () => {
  await fakeMeta?.close();
  await tenantProvider?.close();
  await platformProvider?.close();
  await database?.close();
});

/** A verified claim, its end user with a phone number of its own (no recipient spacing between tests). */
async function verifiedClaim(options: Parameters<typeof seedClaim>[2] = {}) {
  const claim = await seedClaim(database.db, secrets(), options);
  phoneCounter += 1;
  await database.db.endUser.update({ where: { id: claim.userId }, data: { phone: `+5198700${String(phoneCounter).padStart(4, '0')}` } });
  await createClaimActivities({ db: database.db }).completeVerification(
    claim.claimId,
    { kind: 'decided', verified: true, method: 'HONOR_SYSTEM' },
    new Date().toISOString(),
  );
  return claim;
}

/** A Cloud API number of the tenant, set as the campaign's account, in a portfolio with a messaging limit. */
async function campaignCloudAccount(claim: { tenantId: string; campaignId: string }): Promise<string> {
  const waba = fakeMeta.addWaba({ name: 'Count WABA' });
  const phone = fakeMeta.addPhoneNumber(waba.id, { displayPhoneNumber: `+1 555-020-${String(fakeMeta.state.phoneNumbers.size).padStart(4, '0')}` });
  fakeMeta.addTemplate(waba.id, { name: 'spins_added', language: 'es', bodyText: 'Hola {{1}}: tu tarea {{2}} sumó {{3}} giros. {{4}}' });
  const token = fakeMeta.addBusinessToken([waba.id], { assets: [waba.id, phone.id] });
  const businessId = `biz-${waba.id}`;
  await database.db.whatsappPortfolio.create({ data: { id: businessId, messagingLimit: 250, messagingLimitTier: 'TIER_250' } });
  const account = await database.db.whatsappAccount.create({
    data: {
      tenantId: claim.tenantId,
      wabaId: waba.id,
      businessId,
      phoneNumberId: phone.id,
      displayPhoneNumber: phone.displayPhoneNumber,
      accessToken: secrets().seal(token.token),
      status: 'ACTIVE',
    },
  });
  await database.db.campaign.update({
    where: { id: claim.campaignId },
    data: {
      whatsappAccountId: account.id,
      notificationTemplateName: 'spins_added',
      notificationTemplateLanguage: 'es',
      notificationTemplateStatus: 'APPROVED',
    },
  });
  return account.id;
}

/** The statements `work` sent, and its result. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  issued.length = 0;
  const result = await work();
  return { result, statements: [...issued] };
}

const roundTrips = (statements: readonly string[]) =>
  statements.length + statements.filter((statement) => /^\s*(COMMIT|ROLLBACK)\b/.test(statement)).length;

const plan = (claimId: string) =>
  activities().planNotification({ claimId, now: new Date().toISOString(), ignoreWindow: false, maxDelayMs: 86_400_000 });

async function planAndSend(claimId: string) {
  const planned = await counted(() => plan(claimId));
  expect(planned.result.action).toBe('send');
  const sent = await counted(() => activities().sendNotification({ claimId }));
  expect(sent.result.notificationStatus).toBe('SENT');
  return { plan: roundTrips(planned.statements), send: roundTrips(sent.statements) };
}

test("the platform's provider (the bench's channel): statements to plan and to send", async () => {
  const claim = await verifiedClaim();
  expect(await planAndSend(claim.claimId)).toEqual({ plan: 1, send: 7 });
});

test("the tenant's own provider: statements to plan and to send", async () => {
  const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
  expect(await planAndSend(claim.claimId)).toEqual({ plan: 1, send: 6 });
});

test("the campaign's Cloud API number in a portfolio with a messaging limit: statements to plan and to send", async () => {
  const claim = await verifiedClaim();
  await campaignCloudAccount(claim);
  expect(await planAndSend(claim.claimId)).toEqual({ plan: 2, send: 11 });
});

// The send chooses again from the rows as they are when it runs (one statement with the claim), so
// what changed since the plan is honoured.
describe('a change between the plan and the send is honoured by the send', () => {
  const metaSendsOf = (claimId: string) => fakeMeta.sentMessages.filter((message) => message.bizOpaqueCallbackData === claimId);

  test("the campaign's number needs reconnecting: the send holds, nothing goes out on it or elsewhere", async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    const accountId = await campaignCloudAccount(claim);
    expect((await plan(claim.claimId)).action).toBe('send');
    await database.db.whatsappAccount.update({ where: { id: accountId }, data: { status: 'NEEDS_REAUTH' } });
    const tenantBefore = tenantProvider.requests.length;
    expect(await activities().sendNotification({ claimId: claim.claimId })).toMatchObject({ held: true });
    expect(metaSendsOf(claim.claimId)).toHaveLength(0);
    expect(tenantProvider.requests.length).toBe(tenantBefore);
  });

  test("the campaign's number was disconnected: the send goes by the tenant's provider instead", async () => {
    const claim = await verifiedClaim({ providerUrl: `${tenantProvider.url}/tenant/send` });
    const accountId = await campaignCloudAccount(claim);
    expect((await plan(claim.claimId)).action).toBe('send');
    await database.db.whatsappAccount.update({ where: { id: accountId }, data: { status: 'DISCONNECTED', accessToken: null } });
    const tenantBefore = tenantProvider.requests.length;
    expect(await activities().sendNotification({ claimId: claim.claimId })).toMatchObject({ notificationStatus: 'SENT' });
    expect(metaSendsOf(claim.claimId)).toHaveLength(0);
    expect(tenantProvider.requests.length).toBe(tenantBefore + 1);
  });

  test('the number was paused by Meta: the send waits with SENDING_PAUSED, nothing goes out', async () => {
    const claim = await verifiedClaim();
    const accountId = await campaignCloudAccount(claim);
    expect((await plan(claim.claimId)).action).toBe('send');
    const now = new Date();
    await database.db.whatsappAccount.update({
      where: { id: accountId },
      data: { sendingPausedAt: now, sendingPausedCode: '131048', sendingPausedReason: 'restricted', sendingProbeAt: now },
    });
    expect(await activities().sendNotification({ claimId: claim.claimId })).toMatchObject({ held: true });
    expect(metaSendsOf(claim.claimId)).toHaveLength(0);
    expect(await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } })).toMatchObject({
      notificationReason: 'SENDING_PAUSED',
    });
  });

  test('the end user opted out: the send skips with OPTED_OUT, nothing goes out', async () => {
    const claim = await verifiedClaim();
    await campaignCloudAccount(claim);
    expect((await plan(claim.claimId)).action).toBe('send');
    await database.db.endUser.update({ where: { id: claim.userId }, data: { whatsappOptedOutAt: new Date(Date.now() + 1_000) } });
    expect(await activities().sendNotification({ claimId: claim.claimId })).toEqual({ notificationStatus: 'SKIPPED' });
    expect(metaSendsOf(claim.claimId)).toHaveLength(0);
  });
});

test('a delivery status Meta reported before the send recorded the message id is applied by the send (and only then is it read)', async () => {
  const wamid = `wamid.early-${phoneCounter}`;
  // Meta's webhook reports the message delivered before its answer to our send reaches us.
  const graph = await startFakeHttpServer(async (request) => {
    if (request.method !== 'POST' || !request.path.endsWith('/messages')) return { status: 404, body: {} };
    await recordMessageStatus(database.db, { providerMessageId: wamid, status: 'delivered', occurredAt: new Date() });
    return { body: { messaging_product: 'whatsapp', messages: [{ id: wamid }] } };
  });
  try {
    const claim = await verifiedClaim();
    await campaignCloudAccount(claim);
    const early = createNotificationActivities({
      config: testConfig({ ...fakeMetaEnv(fakeMeta), META_GRAPH_BASE_URL: graph.url, OUTBOUND_HTTP_TIMEOUT: '2s' }),
      db: database.db,
      secrets: secrets(),
      logger: pino({ level: 'silent' }),
      graph: graphClientFromConfig(testConfig({ ...fakeMetaEnv(fakeMeta), META_GRAPH_BASE_URL: graph.url, OUTBOUND_HTTP_TIMEOUT: '2s' })),
    });
    expect(await early.sendNotification({ claimId: claim.claimId })).toEqual({ notificationStatus: 'DELIVERED' });
    expect(await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } })).toMatchObject({
      notificationStatus: 'DELIVERED',
      notificationProviderMessageId: wamid,
    });
    expect((await database.db.messageStatusEvent.findFirstOrThrow({ where: { providerMessageId: wamid } })).appliedAt).not.toBeNull();
  } finally {
    await graph.close();
  }
});
