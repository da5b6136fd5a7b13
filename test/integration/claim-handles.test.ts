// Through the real API, worker and fake Meta: a claim Meta checks by handle needs a handle (422
// HANDLE_REQUIRED, nothing written), an end user holds one handle per platform (409 HANDLE_MISMATCH,
// so nobody binds a real commenter's handle to collect their comment and lock them out), a repeat
// claim binds nothing, and a handle of "@" alone is a 422, not a 500.
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { connectInstagramWithWebhooks, fakeMetaEnv } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
/** A post of the Facebook Page whose token the tenant stored (for webhooks), readable with it */
let facebookPostId: string;
let campaignId: string;
let mediaId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'claim-handles-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fakeMeta), CLAIM_VERIFY_DELAY: '200ms' } });
  tenantId = await system.createTenant('handles-a');
  admin = tokens.tenantAdmin(tenantId);
  const connected = await connectInstagramWithWebhooks(system, fakeMeta, admin);
  mediaId = connected.mediaId;
  facebookPostId = fakeMeta.addPagePost({ pageId: connected.facebookPageId }).id;
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Handles' } });
  campaignId = campaign.body.id;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

/** A META_API task whose fallback would approve every claim it is handed. */
async function createTask(body: Record<string, unknown> = {}): Promise<string> {
  const response = await system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: {
      title: 'Comment on our post',
      platform: 'INSTAGRAM',
      actionType: 'COMMENT',
      targetId: mediaId,
      spinsReward: 3,
      verificationStrategy: 'META_API',
      fallbackStrategy: 'STATISTICAL',
      statisticalApprovalRate: 1,
      ...body,
    },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

let phoneCounter = 0;
async function newEndUser(name: string, profile: Record<string, string> = {}) {
  phoneCounter += 1;
  const phone = `+5198600${String(phoneCounter).padStart(4, '0')}`;
  const created = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name, phone, ...profile } });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, token: tokens.endUser(tenantId, created.body.id) };
}

const claim = (user: { token: string }, taskId: string, body: Record<string, unknown> = {}) =>
  system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: user.token, body });
const rowsOf = (userId: string) => system.deps.db.claim.count({ where: { userId } });
const bindingsOf = (userId: string) => system.deps.db.endUserHandle.findMany({ where: { endUserId: userId } });

async function settled(claimId: string) {
  return eventually(async () => {
    const view = await system.request('GET', `/api/v1/completions/${claimId}`, { token: admin });
    return view.body.status !== 'PENDING' ? view.body : undefined;
  }, `claim ${claimId} to settle`);
}

describe('a task Meta checks by handle needs a handle', () => {
  test.each([
    ['an Instagram comment', {}, 'INSTAGRAM'],
    ['an Instagram mention', { actionType: 'MENTION', targetId: undefined }, 'INSTAGRAM'],
    ['a Facebook post like', { platform: 'FACEBOOK', actionType: 'LIKE' }, 'FACEBOOK'],
  ])('%s claimed with no handle anywhere is 422 HANDLE_REQUIRED, and nothing is written or started', async (_name, task, platform) => {
    const taskId = await createTask(platform === 'FACEBOOK' ? { ...task, targetId: facebookPostId } : task);
    const user = await newEndUser('No handle');
    const refused = await claim(user, taskId);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'HANDLE_REQUIRED', details: { field: 'handle', platform } });
    expect(await rowsOf(user.id)).toBe(0);
    expect(await bindingsOf(user.id)).toEqual([]);
  });

  test('a profile handle is enough; the claim is checked with it and unmatched it fails (the fallback never pays)', async () => {
    const taskId = await createTask();
    const user = await newEndUser('With profile', { instagramUsername: 'quiet.fan' });
    const claimed = await claim(user, taskId);
    expect(claimed.status).toBe(202);
    const view = await settled(claimed.body.completionId);
    expect(view).toMatchObject({ status: 'FAILED', reason: 'NOT_FOUND_ON_POST', spinsAwarded: 0 });
  });
});

describe('one handle per end user and platform', () => {
  test('claiming with a real commenter’s handle is 409 HANDLE_MISMATCH; the real owner signs up and is verified by their comment', async () => {
    const taskId = await createTask();
    const realComment = fakeMeta.addInstagramComment(mediaId, { username: 'real.fan', text: 'Love it' });
    const thief = await newEndUser('Thief', { instagramUsername: 'sly.one' });

    const stolen = await claim(thief, taskId, { handle: '@Real.Fan' });
    expect(stolen.status).toBe(409);
    expect(stolen.body.error).toMatchObject({ code: 'HANDLE_MISMATCH', details: { field: 'handle', platform: 'INSTAGRAM', bound: 'sly.one' } });
    expect(await rowsOf(thief.id)).toBe(0);
    expect((await bindingsOf(thief.id)).map((binding) => binding.handle)).toEqual(['sly.one']);

    // The real commenter is not locked out: the tenant admin creates them with their handle.
    const owner = await newEndUser('Real fan', { instagramUsername: 'real.fan' });
    const claimed = await claim(owner, taskId);
    expect(claimed.status).toBe(202);
    const view = await settled(claimed.body.completionId);
    expect(view).toMatchObject({ status: 'VERIFIED', verificationMethod: 'TENANT_META_API', spinsAwarded: 3 });
    const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimed.body.completionId } });
    expect(row.evidence).toMatchObject({ commentId: realComment.id, username: 'real.fan' });
  });

  test('an end user with no handle binds the first one a claim names, and no second one', async () => {
    const first = await createTask();
    const second = await createTask();
    const user = await newEndUser('Collector');
    expect((await claim(user, first, { handle: 'fan.one' })).status).toBe(202);
    const another = await claim(user, second, { handle: 'fan.two' });
    expect(another.status).toBe(409);
    expect(another.body.error.code).toBe('HANDLE_MISMATCH');
    expect((await bindingsOf(user.id)).map((binding) => binding.handle)).toEqual(['fan.one']);
    // The same handle, however typed, is fine; so is none (the bound one is used).
    expect((await claim(user, second, { handle: ' @FAN.ONE ' })).status).toBe(202);
    const row = await system.deps.db.claim.findFirstOrThrow({ where: { userId: user.id, taskId: second } });
    expect(row.handle).toBe('fan.one');
    // fan.two can still sign up.
    await newEndUser('Fan two', { instagramUsername: 'fan.two' });
  });

  test('a repeat claim binds nothing', async () => {
    const taskId = await createTask({ verificationStrategy: 'HONOR_SYSTEM', actionType: 'FOLLOW', targetId: undefined });
    const user = await newEndUser('Repeater');
    const claimed = await claim(user, taskId);
    expect(claimed.status).toBe(202);
    const repeat = await claim(user, taskId, { handle: 'someone.else' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.completionId).toBe(claimed.body.completionId);
    expect(await bindingsOf(user.id)).toEqual([]);
    expect((await system.deps.db.endUser.findUniqueOrThrow({ where: { id: user.id } })).instagramUsername).toBeNull();
    await newEndUser('Someone else', { instagramUsername: 'someone.else' });
  });

  test('a tenant admin still moves a handle to another end user (audited), replacing the one they held', async () => {
    const user = await newEndUser('Mover', { instagramUsername: 'old.name' });
    const patched = await system.request('PATCH', `/api/v1/end-users/${user.id}`, { token: admin, body: { instagramUsername: 'new.name' } });
    expect(patched.status).toBe(200);
    expect((await bindingsOf(user.id)).map((binding) => binding.handle)).toEqual(['new.name']);
    expect(patched.body.audit.map((entry: { action: string }) => entry.action).sort()).toEqual(['HANDLE_BOUND', 'HANDLE_UNBOUND']);
  });
});

describe('a handle that is only "@"', () => {
  test('is 422 naming the field on a claim, on end-user creation and on PATCH, never a 500', async () => {
    const taskId = await createTask();
    const user = await newEndUser('At sign');
    const claimed = await claim(user, taskId, { handle: '@' });
    expect(claimed.status).toBe(422);
    expect(claimed.body.error.details).toEqual([expect.objectContaining({ path: 'handle' })]);
    expect(await rowsOf(user.id)).toBe(0);

    for (const body of [{ facebookName: '@' }, { instagramUsername: '@' }, { facebookName: ' @@ ' }]) {
      const created = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name: 'X', phone: '+51986999999', ...body } });
      expect(created.status).toBe(422);
      expect(created.body.error.details).toEqual([expect.objectContaining({ path: Object.keys(body)[0] })]);
      const patched = await system.request('PATCH', `/api/v1/end-users/${user.id}`, { token: admin, body });
      expect(patched.status).toBe(422);
    }
    expect(await system.deps.db.endUser.count({ where: { phone: '+51986999999' } })).toBe(0);
  });
});
