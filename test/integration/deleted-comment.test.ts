// A deleted (or hidden) Instagram comment is no evidence, through the real API, worker and fake
// Meta: "comment, get indexed, delete, claim" fails, because the indexed match is confirmed with one
// Graph read of the comment id before the claim is verified, and a comment Meta says does not
// exist (or that the business hid) leaves the index.
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { connectInstagramWithWebhooks, fakeMetaEnv } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
let campaignId: string;
let mediaId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'deleted-comment-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fakeMeta), CLAIM_VERIFY_DELAY: '200ms' } });
  tenantId = await system.createTenant('deleted-comment');
  admin = tokens.tenantAdmin(tenantId);
  const connected = await connectInstagramWithWebhooks(system, fakeMeta, admin);
  mediaId = connected.mediaId;
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Deleted' } });
  campaignId = campaign.body.id;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

async function createTask(): Promise<string> {
  const response = await system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: {
      title: 'Comment on our post',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: mediaId,
      spinsReward: 2,
      verificationStrategy: 'META_API',
      // Were the claim handed to the fallback, it would pay.
      fallbackStrategy: 'STATISTICAL',
      statisticalApprovalRate: 1,
    },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

let phoneCounter = 0;
async function claimAs(handle: string, taskId: string) {
  phoneCounter += 1;
  const created = await system.request('POST', '/api/v1/end-users', {
    token: admin,
    body: { name: handle, phone: `+5198500${String(phoneCounter).padStart(4, '0')}`, instagramUsername: handle },
  });
  expect(created.status).toBe(201);
  const claimed = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: tokens.endUser(tenantId, created.body.id), body: {} });
  expect(claimed.status).toBe(202);
  return eventually(async () => {
    const view = await system.request('GET', `/api/v1/completions/${claimed.body.completionId}`, { token: admin });
    return view.body.status !== 'PENDING' ? view.body : undefined;
  }, `the claim of ${handle} to settle`);
}

const readsOf = (commentId: string) => fakeMeta.graphRequests({ method: 'GET', path: `/${commentId}` });
const indexed = (commentId: string) => system.deps.db.indexedComment.count({ where: { commentId } });

test.each([
  ['deleted', (commentId: string) => fakeMeta.deleteInstagramComment(commentId)],
  ['hidden by the business', (commentId: string) => fakeMeta.hideInstagramComment(commentId)],
])('an indexed comment that was then %s does not verify a claim, and leaves the index', async (_what, takeDown) => {
  const taskId = await createTask();
  const suffix = String(phoneCounter);
  // Someone else's claim crawls the post: both comments are indexed, and that standing comment verifies after one read.
  const standing = fakeMeta.addInstagramComment(mediaId, { username: `first.fan${suffix}`, text: 'Love it' });
  const vanishing = fakeMeta.addInstagramComment(mediaId, { username: `gone.fan${suffix}`, text: 'Me too' });
  const first = await claimAs(`first.fan${suffix}`, taskId);
  expect(first).toMatchObject({ status: 'VERIFIED', verificationMethod: 'TENANT_META_API' });
  expect(readsOf(standing.id)).toHaveLength(1);
  expect(readsOf(standing.id)[0]?.query.get('fields')).toBe('id,hidden');
  expect(await indexed(vanishing.id)).toBe(1);

  takeDown(vanishing.id);
  const second = await claimAs(`gone.fan${suffix}`, taskId);
  expect(second).toMatchObject({ status: 'FAILED', reason: 'NOT_FOUND_ON_POST', spinsAwarded: 0 });
  expect(readsOf(vanishing.id).length).toBeGreaterThanOrEqual(1);
  expect(await indexed(vanishing.id)).toBe(0);
});
