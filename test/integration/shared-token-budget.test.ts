// One tenant cannot spend a shared Meta budget for everyone, through the real API, worker and fake
// Meta: tenants without credentials share the platform's token, and crawls are paced by the token
// they use (Meta throttled it for one tenant: the other's crawl waits instead of calling Meta), and
// a tenant may watch at most MAX_WATCHED_TARGETS_PER_TENANT distinct posts (422 beyond).
import { rateLimitReply, startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

const LIMIT = 2;
let system: TestSystem;
let fakeMeta: FakeMeta;
let accountId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'shared-token-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fakeMeta), MAX_WATCHED_TARGETS_PER_TENANT: String(LIMIT) } });
  accountId = fakeMeta.addInstagramAccount({ username: 'platform.brand' }).id;
  // The platform's token: every tenant without credentials of its own crawls with it.
  const token = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'] });
  const settings = await system.request('PUT', '/api/v1/platform/settings', {
    token: tokens.platformAdmin(),
    body: { metaConfig: { instagramAccountId: accountId, instagramToken: token.token } },
  });
  expect(settings.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

async function tenantWithCampaign(slug: string) {
  const tenantId = await system.createTenant(slug);
  const admin = tokens.tenantAdmin(tenantId);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: slug } });
  expect(campaign.status).toBe(201);
  return { tenantId, admin, campaignId: campaign.body.id as string };
}

const commentTask = (tenant: { admin: string; campaignId: string }, targetId: string) =>
  system.request('POST', `/api/v1/campaigns/${tenant.campaignId}/tasks`, {
    token: tenant.admin,
    body: { title: 'Comment on our post', platform: 'INSTAGRAM', actionType: 'COMMENT', targetId, spinsReward: 1, verificationStrategy: 'META_API' },
  });

const indexRow = (tenantId: string, targetId: string) => system.deps.db.commentIndexTarget.findFirst({ where: { tenantId, targetId } });

test("Meta throttling the shared token for one tenant's crawl pauses another tenant's crawl with that token", async () => {
  const greedy = await tenantWithCampaign('greedy');
  const patient = await tenantWithCampaign('patient');
  const greedyMedia = fakeMeta.addInstagramMedia({ ownerId: accountId }).id;
  const patientMedia = fakeMeta.addInstagramMedia({ ownerId: accountId }).id;

  // The greedy tenant's backfill uses up the token's budget: Meta answers with a 10-minute regain time.
  fakeMeta.failNext({ method: 'GET', path: `/${greedyMedia}/comments`, ...rateLimitReply({ code: 80002, regainMinutes: 10 }) });
  expect((await commentTask(greedy, greedyMedia)).status).toBe(201);
  await eventually(
    async () => (await indexRow(greedy.tenantId, greedyMedia))?.lastErrorKind === 'rate_limited',
    "the greedy tenant's throttled crawl",
  );

  // The other tenant's backfill, with the same token, waits for the regain time instead of calling Meta.
  expect((await commentTask(patient, patientMedia)).status).toBe(201);
  const row = await eventually(async () => {
    const found = await indexRow(patient.tenantId, patientMedia);
    return found?.lastError?.includes('pacing') ? found : undefined;
  }, "the patient tenant's crawl to be paced");
  expect(row.lastErrorKind).toBe('rate_limited');
  expect(fakeMeta.graphRequests({ method: 'GET', path: `/${patientMedia}/comments` })).toEqual([]);
}, 90_000);

test('a tenant watches at most MAX_WATCHED_TARGETS_PER_TENANT distinct posts: 422 beyond, nothing stored', async () => {
  const tenant = await tenantWithCampaign('watcher');
  const other = await tenantWithCampaign('watcher-other');
  const media = Array.from({ length: LIMIT + 1 }, () => fakeMeta.addInstagramMedia({ ownerId: accountId }).id);
  for (const id of media.slice(0, LIMIT)) expect((await commentTask(tenant, id)).status).toBe(201);
  const taskCount = () => system.deps.db.socialMediaTask.count({ where: { tenantId: tenant.tenantId } });
  const before = await taskCount();

  const beyond = await commentTask(tenant, media[LIMIT]!);
  expect(beyond.status).toBe(422);
  expect(beyond.body.error).toMatchObject({ code: 'WATCHED_TARGETS_LIMIT', details: { field: 'targetId', limit: LIMIT } });
  expect(await taskCount()).toBe(before);

  // Moving an existing task to a new post is the same; another task on a watched post is free.
  const [first] = await system.deps.db.socialMediaTask.findMany({ where: { tenantId: tenant.tenantId }, orderBy: { createdAt: 'asc' }, take: 1 });
  const moved = await system.request('PATCH', `/api/v1/tasks/${first!.id}`, { token: tenant.admin, body: { targetId: media[LIMIT] } });
  expect(moved.status).toBe(422);
  expect((await commentTask(tenant, media[0]!)).status).toBe(201);
  // Tasks that watch nothing (not checked by Meta) are not counted.
  const honor = await system.request('POST', `/api/v1/campaigns/${tenant.campaignId}/tasks`, {
    token: tenant.admin,
    body: {
      title: 'Comment',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: media[LIMIT],
      spinsReward: 1,
      verificationStrategy: 'HONOR_SYSTEM',
    },
  });
  expect(honor.status).toBe(201);
  // The limit is per tenant.
  expect((await commentTask(other, media[LIMIT]!)).status).toBe(201);
}, 60_000);
