// Evidence, handles and proof codes through the real API (real app, PostgreSQL, Temporal dev server, fake Meta over HTTP):
// META_API tasks are checked when created (malformed → 422, unreadable → 422, uncheckable → 201 with
// warnings) and on demand; a handle belongs to one end user (409 HANDLE_TAKEN, nothing written or
// started; a tenant admin rebinds it, audited); proof codes. And what end users see.
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

let system: TestSystem;
let fakeMeta: FakeMeta;
let tenantId: string;
let admin: string;
let campaignId: string;
let mediaId: string;

beforeAll(async () => {
  fakeMeta = await startFakeMeta({ appSecret: 'trust-api-secret' });
  // No worker: these tests are about what the API decides before any verification runs.
  system = await startTestSystem({ worker: false, env: { ...fakeMetaEnv(fakeMeta) } });
  tenantId = await system.createTenant('trust-a');
  admin = tokens.tenantAdmin(tenantId);
  const account = fakeMeta.addInstagramAccount({ username: 'acme.store' });
  mediaId = fakeMeta.addInstagramMedia({ ownerId: account.id }).id;
  const token = fakeMeta.addToken({ scopes: ['instagram_basic', 'instagram_manage_comments'], assets: [account.id, mediaId] });
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: { timezone: 'UTC', waConfig: null, metaConfig: { instagramAccountId: account.id, instagramToken: token.token } },
  });
  expect(settings.status).toBe(200);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Trust' } });
  campaignId = campaign.body.id;
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await fakeMeta?.close();
});

const createTask = (body: Record<string, unknown>) =>
  system.request('POST', `/api/v1/campaigns/${campaignId}/tasks`, {
    token: admin,
    body: { title: 'Comment on our post', platform: 'INSTAGRAM', actionType: 'COMMENT', spinsReward: 2, verificationStrategy: 'META_API', ...body },
  });
const taskCount = () => system.deps.db.socialMediaTask.count({ where: { campaignId } });

async function newEndUser(name: string, profile: Record<string, string> = {}) {
  const phone = `+5199${Math.floor(1e6 + Math.random() * 8e6)}`;
  const created = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name, phone, ...profile } });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, token: tokens.endUser(tenantId, created.body.id) };
}

describe('META_API tasks are checked when created', () => {
  test('a target that cannot be a media id is 422 naming targetId, and nothing is stored', async () => {
    const before = await taskCount();
    for (const body of [{ targetId: 'Cx1AbC' }, { targetUrl: 'https://www.instagram.com/p/Cx1AbC/' }]) {
      const response = await createTask(body);
      expect(response.status).toBe(422);
      expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'targetId' })]);
    }
    expect(await taskCount()).toBe(before);
  });

  test.each([
    ['an unknown object (code 100)', { code: 100, message: 'Unsupported get request. Object with ID does not exist' }],
    ['a deleted object (code 33)', { code: 33, message: 'This object does not exist or does not support this action' }],
  ])("a target Meta cannot read, %s, is 422 TASK_TARGET_UNREADABLE with Meta's reason", async (_name, error) => {
    const before = await taskCount();
    fakeMeta.failNext({ method: 'GET', path: `/${mediaId}`, error });
    const response = await createTask({ targetId: mediaId });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({
      code: 'TASK_TARGET_UNREADABLE',
      details: { field: 'targetId', reason: expect.stringContaining(error.message) },
    });
    expect(await taskCount()).toBe(before);
    // The check used the tenant's token on the object itself.
    const read = fakeMeta.graphRequests({ method: 'GET', path: `/${mediaId}` }).at(-1);
    expect(read?.query.get('fields')).toBe('id');
  });

  test('a readable target is 201 with no warnings; POST /tasks/:id/check re-runs the check', async () => {
    const response = await createTask({ targetId: mediaId });
    expect(response.status).toBe(201);
    expect(response.body.warnings).toEqual([]);
    const check = await system.request('POST', `/api/v1/tasks/${response.body.id}/check`, { token: admin });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ readable: true, reason: null, fallback: null });

    fakeMeta.failNext({ method: 'GET', path: `/${mediaId}`, error: { code: 100, message: 'Object does not exist' } });
    const later = await system.request('POST', `/api/v1/tasks/${response.body.id}/check`, { token: admin });
    expect(later.body).toMatchObject({ readable: false, reason: expect.stringContaining('Object does not exist'), fallback: 'STATISTICAL' });
  });

  test('an action Meta cannot check is 201 with a warning naming the fallback', async () => {
    const response = await createTask({ actionType: 'LIKE', targetId: mediaId, fallbackStrategy: 'MANUAL' });
    expect(response.status).toBe(201);
    expect(response.body.warnings).toEqual([{ code: 'ACTION_NOT_CHECKABLE', fallback: 'MANUAL', message: expect.stringMatching(/like count/) }]);
  });

  test('PATCH of the target runs the same check', async () => {
    const task = await createTask({ targetId: mediaId });
    const malformed = await system.request('PATCH', `/api/v1/tasks/${task.body.id}`, { token: admin, body: { targetId: 'not-an-id' } });
    expect(malformed.status).toBe(422);
    fakeMeta.failNext({ method: 'GET', path: '/1234567', error: { code: 100, message: 'Object does not exist' } });
    const unreadable = await system.request('PATCH', `/api/v1/tasks/${task.body.id}`, { token: admin, body: { targetId: '1234567' } });
    expect(unreadable.status).toBe(422);
    expect(unreadable.body.error.code).toBe('TASK_TARGET_UNREADABLE');
    expect((await system.deps.db.socialMediaTask.findUniqueOrThrow({ where: { id: task.body.id } })).targetId).toBe(mediaId);
    const renamed = await system.request('PATCH', `/api/v1/tasks/${task.body.id}`, { token: admin, body: { title: 'New title' } });
    expect(renamed.body).toMatchObject({ title: 'New title', targetId: mediaId, warnings: [] });
  });
});

describe('a handle belongs to one end user of the tenant', () => {
  test('the first claim binds it; another end user naming it gets 409 HANDLE_TAKEN and nothing is written or started', async () => {
    const task = await createTask({ targetId: mediaId });
    const first = await newEndUser('Fan');
    const second = await newEndUser('Impostor');
    const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: first.token, body: { handle: '@Famous.Fan' } });
    expect(claimed.status).toBe(202);
    expect((await system.deps.db.endUser.findUniqueOrThrow({ where: { id: first.id } })).instagramUsername).toBe('famous.fan');

    const taken = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: second.token, body: { handle: 'FAMOUS.fan' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'HANDLE_TAKEN', details: { field: 'handle', platform: 'INSTAGRAM' } });
    // No claim row, so no workflow: a claim's workflow is only ever started for its row.
    expect(await system.deps.db.claim.count({ where: { userId: second.id } })).toBe(0);

    // A profile handle is bound too: creating a user with someone else's handle is refused.
    const duplicate = await system.request('POST', '/api/v1/end-users', {
      token: admin,
      body: { name: 'Copy', phone: '+51911111111', instagramUsername: '@famous.fan' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('HANDLE_TAKEN');
    expect(await system.deps.db.endUser.count({ where: { phone: '+51911111111' } })).toBe(0);
  });

  test('a tenant admin rebinds a handle with PATCH /end-users/:id; the change is audited on both users', async () => {
    const task = await createTask({ targetId: mediaId });
    const old = await newEndUser('Old owner', { instagramUsername: 'moving.handle' });
    const real = await newEndUser('Real owner');
    const patched = await system.request('PATCH', `/api/v1/end-users/${real.id}`, { token: admin, body: { instagramUsername: '@Moving.Handle' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      instagramUsername: 'moving.handle',
      audit: [
        expect.objectContaining({ action: 'HANDLE_BOUND', changes: { platform: 'INSTAGRAM', handle: 'moving.handle', previousOwner: old.id } }),
      ],
    });
    const oldView = await system.request('GET', `/api/v1/end-users/${old.id}`, { token: admin });
    expect(oldView.body).toMatchObject({
      instagramUsername: null,
      audit: [expect.objectContaining({ action: 'HANDLE_UNBOUND', actorId: expect.any(String) })],
    });

    expect((await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: real.token, body: {} })).status).toBe(202);
    const refused = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: old.token, body: { handle: 'moving.handle' } });
    expect(refused.status).toBe(409);
  });
});

test('a proof-code task answers each claim with its own code', async () => {
  const task = await createTask({ targetId: mediaId, requireProofCode: true });
  expect(task.body.requireProofCode).toBe(true);
  const codes = new Set<string>();
  for (const name of ['P1', 'P2']) {
    const user = await newEndUser(name);
    const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: user.token, body: {} });
    expect(claimed.status).toBe(202);
    expect(claimed.body.proofCode).toMatch(/^SPIN-[2-9A-HJKMNP-TW-Z]{6}$/);
    const repeat = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: user.token, body: {} });
    expect(repeat.body.proofCode).toBe(claimed.body.proofCode);
    codes.add(claimed.body.proofCode);
  }
  expect(codes.size).toBe(2);
});

describe('what end users see', () => {
  test('the end user reads a reason code and our sentence; the tenant admin keeps the full detail', async () => {
    const task = await createTask({ targetId: mediaId });
    const user = await newEndUser('Viewer');
    const claimed = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: user.token, body: { handle: 'viewer.ig' } });
    const metaDetail = `No comment by @viewer.ig on Instagram media ${mediaId} (3 comments checked); 1 match already verified another claim of this task`;
    await system.deps.db.claim.update({
      where: { id: claimed.body.completionId },
      data: {
        status: 'FAILED',
        reason: 'EVIDENCE_ALREADY_USED',
        detail: metaDetail,
        verificationMethod: 'TENANT_META_API',
        notificationStatus: 'FAILED',
        notificationError: 'Meta POST /1234/messages failed (HTTP 400, code 131026): recipient cannot be reached',
        notificationProviderMessageId: 'wamid.HBgL',
      },
    });

    const own = await system.request('GET', `/api/v1/claims/${claimed.body.completionId}`, { token: user.token });
    expect(own.body).toMatchObject({
      status: 'FAILED',
      reason: 'EVIDENCE_ALREADY_USED',
      detail: expect.stringMatching(/already used for another claim/),
      verificationMethod: null,
    });
    expect(own.body.notification).toMatchObject({ status: 'FAILED', error: null, providerMessageId: null });
    const listed = await system.request('GET', '/api/v1/claims', { token: user.token });
    for (const text of [own.text, listed.text]) {
      expect(text).not.toContain(mediaId);
      expect(text).not.toMatch(/Meta|wamid|131026|TENANT_META_API/);
    }

    const tenantView = await system.request('GET', `/api/v1/completions/${claimed.body.completionId}`, { token: admin });
    expect(tenantView.body).toMatchObject({
      reason: 'EVIDENCE_ALREADY_USED',
      detail: metaDetail,
      verificationMethod: 'TENANT_META_API',
      notification: { providerMessageId: 'wamid.HBgL' },
    });
  });

  test("end users' task lists do not say how tasks are verified", async () => {
    await createTask({ actionType: 'FOLLOW', verificationStrategy: 'HONOR_SYSTEM', targetUrl: 'https://www.instagram.com/acme.store/' });
    const user = await newEndUser('Lister');
    const listed = await system.request('GET', `/api/v1/campaigns/${campaignId}/tasks`, { token: user.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.text).not.toMatch(/verificationStrategy|fallbackStrategy|statisticalApprovalRate|HONOR_SYSTEM/);
    const adminList = await system.request('GET', `/api/v1/campaigns/${campaignId}/tasks`, { token: admin });
    expect(adminList.body.items[0]).toHaveProperty('verificationStrategy');
  });
});
