// The comment index through the real API, PostgreSQL, the Temporal dev server and the fake Meta paging
// Instagram comments 50 at a time: claims are decided from one shared comment index per target.
//  - 1,500 comments, 60 genuine claimants (30 among the newest, 30 among the oldest): 60/60
//    VERIFIED with at most one Graph comment read per claim in total (before: the early 30 FAILED
//    "stopped after 20 pages", and 10.5 reads per claim);
//  - a claimant who did not comment: NOT_FOUND, because the index is complete up to the verify time;
//  - a target the token cannot read: COULD_NOT_CHECK, retried, then the task's fallback;
//  - a comment delivered by a signed webhook verifies with zero Graph reads.
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { deliver } from '../fixtures/meta-webhooks/helpers.js';
import { eventually } from '../support/eventually.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { commentIndexWorkflowId } from '../../src/comment-index/target-key.js';
import { claimAsNewUser, fakeMetaEnv, instagramWebhookPage, webhooksSubscribed } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
let campaignId: string;
let igAccountId: string;
let token: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: BASE_TEST_ENV.META_APP_SECRET });
  system = await startTestSystem({
    env: {
      ...fakeMetaEnv(fakeMeta),
      CLAIM_VERIFY_DELAY: '1s',
      COMMENT_INDEX_COALESCE: '1s',
      COMMENT_INDEX_CHECK_ATTEMPTS: '2',
    },
  });
  tenantId = await system.createTenant('index-a');
  admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: 'acme.store' });
  igAccountId = account.id;
  token = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'] }).token;
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
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Index', notificationEnabled: false } });
  expect(campaign.status).toBe(201);
  campaignId = campaign.body.id;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const db = () => system.deps.db;
const commentReads = (mediaId: string) =>
  fakeMeta.graphRequests({ method: 'GET' }).filter((request) => request.path === `/${mediaId}/comments` || /\/replies$/.test(request.path)).length;

async function commentTask(mediaId: string, extra: Record<string, unknown> = {}) {
  const response = await system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: {
      title: 'Comment on our post',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: mediaId,
      spinsReward: 1,
      verificationStrategy: 'META_API',
      ...extra,
    },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; createdAt: string };
}

/** The backfill the task's creation started has read the target. */
const indexed = (mediaId: string) =>
  eventually(
    async () => (await db().commentIndexTarget.findFirst({ where: { tenantId, targetId: mediaId, completeThrough: { not: null } } })) ?? false,
    `index of ${mediaId}`,
  );

const claim = (taskId: string, handle: string) => claimAsNewUser(system, { id: tenantId, adminToken: admin }, taskId, handle);

const decided = (ids: string[], timeoutMs = 100_000) =>
  eventually(
    async () => {
      const rows = await db().claim.findMany({ where: { id: { in: ids } } });
      return rows.length === ids.length && rows.every((row) => row.status !== 'PENDING') ? rows : false;
    },
    `${ids.length} claims decided`,
    timeoutMs,
    250,
  );

test('1,500 comments paged 50 at a time: 60 genuine claimants, recent and early, all VERIFIED with at most one read per claim; a non-commenter is NOT_FOUND', async () => {
  const media = fakeMeta.addInstagramMedia({ ownerId: igAccountId });
  const task = await commentTask(media.id);
  await indexed(media.id);
  const readsBefore = commentReads(media.id);
  // Comments are newer than the task (evidence must postdate it); early claimants wrote first.
  const start = Date.parse(task.createdAt) + 1_000;
  const early = Array.from({ length: 30 }, (_, i) => `early.fan${i}`);
  const recent = Array.from({ length: 30 }, (_, i) => `recent.fan${i}`);
  const authors = [...early, ...Array.from({ length: 1_440 }, (_, i) => `crowd${i}`), ...recent];
  authors.forEach((username, i) => {
    fakeMeta.addInstagramComment(media.id, { username, atMs: start + i * 10 });
  });
  expect(fakeMeta.state.igMedia.get(media.id)!.comments).toHaveLength(1_500);

  const ids: string[] = [];
  for (const handle of [...early, ...recent]) ids.push(await claim(task.id, handle));
  const nobody = await claim(task.id, 'never.commented');

  const rows = await decided([...ids, nobody]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const verified = ids.filter((id) => byId.get(id)!.status === 'VERIFIED');
  expect(verified).toHaveLength(60);
  expect(byId.get(ids[0]!)).toMatchObject({
    verificationMethod: 'TENANT_META_API',
    reason: 'VERIFIED_BY_META',
    evidence: expect.objectContaining({ username: 'early.fan0' }),
  });
  expect(byId.get(nobody)).toMatchObject({
    status: 'FAILED',
    reason: 'NOT_FOUND_ON_POST',
    detail: expect.stringMatching(/all 1500 indexed comments up to/),
  });

  const reads = commentReads(media.id) - readsBefore;
  expect(reads).toBeGreaterThanOrEqual(30); // the whole history was read once...
  expect(reads).toBeLessThanOrEqual(61); // ...and shared: at most one read per claim in total
  expect(await db().indexedComment.count({ where: { tenantId, target: { targetId: media.id } } })).toBe(1_500);
}, 180_000);

test('a target the token cannot read: COULD_NOT_CHECK, retried, then the fallback decides (never NOT_FOUND)', async () => {
  const media = fakeMeta.addInstagramMedia({ ownerId: igAccountId });
  const task = await commentTask(media.id, { fallbackStrategy: 'HONOR_SYSTEM' });
  await indexed(media.id);
  // The media is deleted on Meta's side after the task was created.
  fakeMeta.state.igMedia.delete(media.id);
  const id = await claim(task.id, 'hopeful.fan');
  const [row] = await decided([id]);
  expect(row).toMatchObject({
    status: 'VERIFIED',
    verificationMethod: 'HONOR_SYSTEM',
    reason: 'ACCEPTED_ON_HONOR',
    detail: expect.stringMatching(/^COULD_NOT_CHECK after 2 failed crawls/),
  });
  const target = await db().commentIndexTarget.findFirstOrThrow({ where: { tenantId, targetId: media.id } });
  expect(target).toMatchObject({ failedCrawls: 2, lastErrorKind: 'permanent' });
}, 90_000);

test('a comment delivered by a signed webhook verifies with one Graph read: the confirmation that it still stands', async () => {
  const media = fakeMeta.addInstagramMedia({ ownerId: igAccountId });
  const task = await commentTask(media.id);
  await indexed(media.id);
  // The comment the webhook announces, as it stands on Instagram.
  fakeMeta.addInstagramComment(media.id, { id: '17865799348000001', username: 'Webhook.Fan', text: 'Love it', fromId: '998877' });
  const readsBefore = fakeMeta.graphRequests().length;
  const body = JSON.stringify({
    object: 'instagram',
    entry: [
      {
        id: igAccountId,
        time: Math.floor(Date.now() / 1000) + 1,
        changes: [
          {
            field: 'comments',
            value: {
              from: { id: '998877', username: 'Webhook.Fan' },
              media: { id: media.id, media_product_type: 'FEED' },
              id: '17865799348000001',
              text: 'Love it',
            },
          },
        ],
      },
    ],
  });
  const event = await deliver(system, body);
  expect(event.result).toMatchObject({ commentsIndexed: 1, tenantIds: [tenantId] });

  const id = await claim(task.id, '@webhook.fan');
  const [row] = await decided([id]);
  expect(row).toMatchObject({ status: 'VERIFIED', evidence: expect.objectContaining({ commentId: '17865799348000001', indexedVia: 'webhook' }) });
  expect(
    fakeMeta
      .graphRequests()
      .slice(readsBefore)
      .map((request) => request.path),
  ).toEqual(['/17865799348000001']);
  // The entity workflow of the target exists, with the contract's id.
  const description = await system.temporalEnv.client.workflow.getHandle(commentIndexWorkflowId({ tenantId, targetId: media.id })).describe();
  expect(description.type).toBe('indexTargetComments');
}, 60_000);
