// Meta answering 500 for a while is an outage, not a verdict: through the real API, PostgreSQL, the
// Temporal dev server (real time) and the fake Meta, a claim whose target cannot be read for a short
// outage waits, and is decided from the index once Meta is back. The fallback (which would credit
// without evidence) is kept for an outage that lasts META_OUTAGE_FALLBACK_AFTER (1 h by default:
// longer than this test can run, so any fallback here is a wrong one).
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv, instagramWebhookPage, webhooksSubscribed } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
let campaignId: string;
let igAccountId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: BASE_TEST_ENV.META_APP_SECRET });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fakeMeta), CLAIM_VERIFY_DELAY: '1s', COMMENT_INDEX_COALESCE: '200ms' } });
  tenantId = await system.createTenant('outage-a');
  admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: 'acme.store' });
  igAccountId = account.id;
  const token = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'] }).token;
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: {
      timezone: 'UTC',
      waConfig: null,
      metaConfig: { instagramAccountId: account.id, instagramToken: token, ...instagramWebhookPage(fakeMeta, account.id) },
    },
  });
  expect(settings.status).toBe(200);
  // Comment webhooks are on: a miss in the index is NOT_FOUND, not COULD_NOT_CHECK.
  await webhooksSubscribed(system, admin);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Outage', notificationEnabled: false } });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.id;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const db = () => system.deps.db;

async function claim(taskId: string, handle: string, phone: string): Promise<string> {
  const user = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name: handle, phone } });
  expect(user.status).toBe(201);
  const claimed = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: tokens.endUser(tenantId, user.body.id), body: { handle } });
  expect(claimed.status).toBe(202);
  return claimed.body.completionId ?? claimed.body.id;
}

test('Meta answering 500 for two whole crawls, then recovering: a user who never commented is FAILED (NOT_FOUND), not credited by the fallback', async () => {
  const media = fakeMeta.addInstagramMedia({ ownerId: igAccountId });
  const task = await system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: {
      title: 'Comment on our post',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: media.id,
      spinsReward: 1,
      verificationStrategy: 'META_API',
      // The fallback that would credit the claim without evidence.
      fallbackStrategy: 'HONOR_SYSTEM',
    },
  });
  expect(task.status).toBe(201);
  await eventually(
    async () => (await db().commentIndexTarget.findFirst({ where: { tenantId, targetId: media.id, completeThrough: { not: null } } })) ?? false,
    'the backfill',
  );
  fakeMeta.addInstagramComment(media.id, { username: 'someone.else', atMs: Date.parse(task.body.createdAt) + 1_000 });

  // Meta fails every read of the comments edge until the test says otherwise.
  const outage = fakeMeta.failNext({
    method: 'GET',
    path: `/${media.id}/comments`,
    status: 500,
    error: { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true },
    times: 1_000_000,
  });
  const id = await claim(task.body.id, 'never.commented', '+51987000101');

  // Two whole crawls (three attempts each) fail: more than one bad crawl's worth of errors.
  await eventually(async () => outage.hits >= 6, 'two crawls to fail', 60_000);
  const during = await db().claim.findUniqueOrThrow({ where: { id } });
  expect(during.status).toBe('PENDING');
  const target = await db().commentIndexTarget.findFirstOrThrow({ where: { tenantId, targetId: media.id } });
  expect(target.unreadableSince).not.toBeNull();
  expect(target.failedCrawls).toBeLessThan(outage.hits); // crawls are counted, not their attempts
  outage.cancel();

  const decided = await eventually(
    async () => {
      const row = await db().claim.findUniqueOrThrow({ where: { id } });
      return row.status !== 'PENDING' && row;
    },
    'the claim to be decided after Meta recovered',
    90_000,
    250,
  );
  expect(decided).toMatchObject({ status: 'FAILED', reason: 'NOT_FOUND_ON_POST', verificationMethod: 'TENANT_META_API', spinsAwarded: 0 });
  expect(decided.detail).toMatch(/No comment by @never\.commented/);
  expect(await db().spinCredit.count({ where: { claimId: id } })).toBe(0);
  const recovered = await db().commentIndexTarget.findFirstOrThrow({ where: { tenantId, targetId: media.id } });
  expect(recovered).toMatchObject({ unreadableSince: null, failedCrawls: 0 });
}, 180_000);
