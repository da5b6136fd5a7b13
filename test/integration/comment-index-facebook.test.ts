// The comment index, Facebook side, through the real API, worker, PostgreSQL, Temporal and the fake Meta:
//  - the Facebook crawl pages newest first (order=reverse_chronological) and an incremental crawl
//    stops where the index already is;
//  - a Page `feed` comment delivered by a signed webhook verifies with zero Graph reads;
//  - LIKE claims are decided from indexed reactions: one present at the backfill taken at task
//    creation does not postdate the task; one first seen by a later crawl, or added by a `feed`
//    reaction webhook (zero Graph reads), verifies;
//  - storing Meta credentials subscribes the Page to `feed` (and so its Instagram account's
//    comments), reported as webhookSubscription in the settings view; a refusal is FAILED with
//    the reason, and asking again after the fix subscribes.
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { deliver } from '../fixtures/meta-webhooks/helpers.js';
import { eventually } from '../support/eventually.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { claimAsNewUser } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
let campaignId: string;
let pageId: string;
let igAccountId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: BASE_TEST_ENV.META_APP_SECRET });
  system = await startTestSystem({
    env: { META_GRAPH_BASE_URL: fakeMeta.url, META_APP_ID: fakeMeta.appId, CLAIM_VERIFY_DELAY: '1s', COMMENT_INDEX_COALESCE: '1s' },
  });
  tenantId = await system.createTenant('index-fb');
  admin = tokens.tenantAdmin(tenantId);
  igAccountId = fakeMeta.addInstagramAccount({ username: 'acme.fb' }).id;
  pageId = fakeMeta.addPage({ name: 'Acme', instagramAccountId: igAccountId }).id;
  const pageToken = fakeMeta.addPageToken(pageId, {
    scopes: ['pages_read_engagement', 'pages_read_user_content', 'pages_show_list', 'pages_manage_metadata'],
  }).token;
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: { metaConfig: { facebookPageId: pageId, facebookToken: pageToken, instagramAccountId: igAccountId, instagramToken: pageToken } },
  });
  expect(settings.status).toBe(200);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'FB index', notificationEnabled: false } });
  campaignId = campaign.body.id;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const db = () => system.deps.db;

async function task(postId: string, actionType: 'COMMENT' | 'LIKE') {
  const response = await system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: { title: `${actionType} our post`, platform: 'FACEBOOK', actionType, targetId: postId, spinsReward: 1, verificationStrategy: 'META_API' },
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; createdAt: string };
}

const claim = (taskId: string, handle: string) => claimAsNewUser(system, { id: tenantId, adminToken: admin }, taskId, handle);

const decided = async (id: string) =>
  eventually(
    async () => {
      const row = await db().claim.findUnique({ where: { id } });
      return row && row.status !== 'PENDING' ? row : false;
    },
    `claim ${id} decided`,
    50_000,
    250,
  );

const reads = (postId: string, edge: 'comments' | 'reactions') =>
  fakeMeta.graphRequests({ method: 'GET' }).filter((request) => request.path === `/${postId}/${edge}`);

const signedFeed = (value: Record<string, unknown>) =>
  JSON.stringify({
    object: 'page',
    entry: [{ id: pageId, time: Math.floor(Date.now() / 1000), changes: [{ field: 'feed', value }] }],
  });

test('storing Page credentials subscribes the Page to feed (and its connected Instagram account) in the background', async () => {
  const view = await eventually(async () => {
    const settings = await system.request('GET', '/api/v1/tenant/settings', { token: admin });
    return settings.body.webhookSubscription.status === 'PENDING' ? false : settings.body.webhookSubscription;
  }, 'subscription settled');
  expect(view).toMatchObject({
    status: 'SUBSCRIBED',
    error: null,
    subscriptions: [
      { object: 'page', id: pageId, fields: ['feed'], status: 'SUBSCRIBED' },
      { object: 'instagram', id: igAccountId, fields: ['comments', 'mentions'], status: 'SUBSCRIBED', viaPageId: pageId },
    ],
  });
  expect(fakeMeta.state.pages.get(pageId)!.subscribedApps.get(fakeMeta.appId)).toEqual(['feed']);
  const call = fakeMeta.graphRequests({ method: 'POST', path: `/${pageId}/subscribed_apps` })[0]!;
  expect(call.appsecretProof).toBeTruthy();
}, 60_000);

test('a Page token without pages_manage_metadata: FAILED with the reason; asking again after the fix subscribes', async () => {
  const otherTenant = await system.createTenant('index-fb-b');
  const otherAdmin = tokens.tenantAdmin(otherTenant);
  const page = fakeMeta.addPage({ name: 'Other' });
  const weak = fakeMeta.addPageToken(page.id);
  const put = await system.request('PUT', '/api/v1/tenant/settings', {
    token: otherAdmin,
    body: { metaConfig: { facebookPageId: page.id, facebookToken: weak.token } },
  });
  expect(put.status).toBe(200);
  expect(put.body.webhookSubscription.status).toMatch(/PENDING|FAILED/);
  const failed = await eventually(async () => {
    const settings = await system.request('GET', '/api/v1/tenant/settings', { token: otherAdmin });
    return settings.body.webhookSubscription.status === 'FAILED' ? settings.body.webhookSubscription : false;
  }, 'subscription failed');
  expect(failed.error).toMatch(/pages_manage_metadata/);
  expect(page.subscribedApps.size).toBe(0);
  // The tenant grants the permission in Meta (same token) and asks again.
  weak.scopes.push('pages_manage_metadata');
  const retried = await system.request('POST', '/api/v1/tenant/settings/webhook-subscription', { token: otherAdmin });
  expect(retried.status).toBe(202);
  await eventually(async () => {
    const settings = await system.request('GET', '/api/v1/tenant/settings', { token: otherAdmin });
    return settings.body.webhookSubscription.status === 'SUBSCRIBED';
  }, 'subscribed after retry');
  expect(page.subscribedApps.get(fakeMeta.appId)).toEqual(['feed']);
}, 60_000);

test('Facebook crawl: newest first, and the next crawl stops where the index already is', async () => {
  const post = fakeMeta.addPagePost({ pageId });
  const comment = await task(post.id, 'COMMENT');
  await eventually(
    async () => (await db().commentIndexTarget.findFirst({ where: { tenantId, targetId: post.id, completeThrough: { not: null } } })) ?? false,
    'backfill',
  );
  const start = Date.parse(comment.createdAt) + 1_000;
  for (let i = 0; i < 250; i += 1) fakeMeta.addPageComment(post.id, { name: i === 0 ? 'EarlyFan' : `crowd${i}`, atMs: start + i * 1_000 });
  const before = reads(post.id, 'comments').length;
  const first = await decided(await claim(comment.id, 'EarlyFan'));
  expect(first).toMatchObject({ status: 'VERIFIED', evidence: expect.objectContaining({ name: 'EarlyFan', indexedVia: 'crawl' }) });
  const firstCrawl = reads(post.id, 'comments').slice(before);
  expect(firstCrawl).toHaveLength(3); // 250 comments, 100 a page, all new
  // Asked newest first, replies included (later pages follow Meta's `next` cursor).
  expect(firstCrawl.map((request) => [request.query.get('order'), request.query.get('filter')])).toEqual(
    Array(3).fill(['reverse_chronological', 'stream']),
  );

  fakeMeta.addPageComment(post.id, { name: 'LateFan', atMs: start + 300_000 });
  const mid = reads(post.id, 'comments').length;
  const late = await decided(await claim(comment.id, 'LateFan'));
  expect(late.status).toBe('VERIFIED');
  expect(reads(post.id, 'comments').length - mid).toBe(1); // one page: it reached what the index had
  expect(await db().indexedComment.count({ where: { tenantId, target: { targetId: post.id } } })).toBe(251);
}, 120_000);

test('a Page feed comment delivered by a signed webhook verifies with zero Graph reads; a removed one leaves the index', async () => {
  const post = fakeMeta.addPagePost({ pageId });
  const comment = await task(post.id, 'COMMENT');
  await eventually(
    async () => (await db().commentIndexTarget.findFirst({ where: { tenantId, targetId: post.id, readableAt: { not: null } } })) ?? false,
    'backfill',
  );
  const readsBefore = fakeMeta.graphRequests().length;
  const commentId = `${post.id.split('_')[1]}_900001`;
  const event = await deliver(
    system,
    signedFeed({
      item: 'comment',
      verb: 'add',
      post_id: post.id,
      comment_id: commentId,
      parent_id: post.id,
      from: { id: '5551', name: 'HookFan' },
      message: 'Count me in',
      created_time: Math.floor(Date.now() / 1000) + 1,
    }),
  );
  expect(event.result).toMatchObject({ commentsIndexed: 1 });
  const row = await decided(await claim(comment.id, 'HookFan'));
  expect(row).toMatchObject({ status: 'VERIFIED', evidence: expect.objectContaining({ commentId, indexedVia: 'webhook' }) });
  expect(fakeMeta.graphRequests().length).toBe(readsBefore);

  await deliver(
    system,
    signedFeed({ item: 'comment', verb: 'remove', post_id: post.id, comment_id: commentId, from: { id: '5551', name: 'HookFan' } }),
  );
  expect(await db().indexedComment.count({ where: { commentId } })).toBe(0);
}, 60_000);

test('LIKE claims read indexed reactions: present at the backfill does not postdate the task; seen by a later crawl or a feed webhook does', async () => {
  const post = fakeMeta.addPagePost({ pageId });
  fakeMeta.addPageReaction(post.id, { name: 'OldFan', type: 'LOVE' });
  const like = await task(post.id, 'LIKE');
  await eventually(
    async () =>
      (await db().commentIndexTarget.findFirst({ where: { tenantId, targetId: post.id, reactionsCompleteThrough: { not: null } } })) ?? false,
    'reactions backfill',
  );
  fakeMeta.addPageReaction(post.id, { name: 'NewFan' });

  const old = await decided(await claim(like.id, 'OldFan'));
  expect(old).toMatchObject({ status: 'FAILED', reason: 'EVIDENCE_PREDATES_TASK' });
  const fresh = await decided(await claim(like.id, 'NewFan'));
  expect(fresh).toMatchObject({
    status: 'VERIFIED',
    reason: 'VERIFIED_BY_META',
    evidence: expect.objectContaining({ source: 'facebook_reactions', name: 'NewFan', reactionType: 'LIKE', indexedVia: 'crawl' }),
  });
  const nobody = await decided(await claim(like.id, 'NeverReacted'));
  expect(nobody).toMatchObject({ status: 'FAILED', reason: 'NOT_FOUND_ON_POST', detail: expect.stringMatching(/indexed reactions up to/) });

  const readsBefore = fakeMeta.graphRequests().length;
  const event = await deliver(
    system,
    signedFeed({
      item: 'reaction',
      verb: 'add',
      post_id: post.id,
      parent_id: post.id,
      reaction_type: 'wow',
      from: { id: '7771', name: 'WebhookFan' },
      created_time: Math.floor(Date.now() / 1000) + 1,
    }),
  );
  expect(event.result).toMatchObject({ commentsIndexed: 1 });
  const hooked = await decided(await claim(like.id, 'WebhookFan'));
  expect(hooked).toMatchObject({
    status: 'VERIFIED',
    evidence: expect.objectContaining({ reactorId: '7771', reactionType: 'WOW', indexedVia: 'webhook' }),
  });
  expect(fakeMeta.graphRequests().length).toBe(readsBefore);
  // LIKE-only post: no comment pages were read for it.
  expect(reads(post.id, 'comments')).toHaveLength(0);
}, 120_000);
