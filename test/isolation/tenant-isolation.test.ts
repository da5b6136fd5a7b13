// Tenant isolation: tenant B's tokens on every tenant-scoped route, aimed at tenant A's resources,
// get 404 as if the resource did not exist, and A's rows are unchanged afterwards. A `tenantId` in
// a body or query never selects the tenant. No worker runs: workflows exist but do not progress.
import { TENANT_ID } from '../../src/temporal/search-attributes.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';

let system: TestSystem;

interface TenantFixture {
  id: string;
  admin: string;
  campaignId: string;
  taskId: string;
  endUserId: string;
  endUserToken: string;
  claimId: string;
  workflowId: string;
  whatsappAccountId: string;
}

let a: TenantFixture;
let b: TenantFixture;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  a = await setUpTenant('iso-a', 'America/Lima', '+51999000001');
  b = await setUpTenant('iso-b', 'Europe/Berlin', '+49170000001');
});

afterAll(async () => {
  await system?.stop();
});

async function setUpTenant(slug: string, timezone: string, phone: string): Promise<TenantFixture> {
  const tenant = await system.request('POST', '/api/v1/tenants', { token: tokens.platformAdmin(), body: { name: slug, slug, timezone } });
  expect(tenant.status).toBe(201);
  const admin = tokens.tenantAdmin(tenant.body.id);
  const settings = await system.request('PUT', '/api/v1/tenant/settings', {
    token: admin,
    body: { waConfig: { apiUrl: `https://wa.${slug}.example/send`, apiKey: `key-of-${slug}-123456`, sender: slug } },
  });
  expect(settings.status).toBe(200);
  const campaign = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: `Campaign of ${slug}` } });
  const task = await system.request('POST', `/api/v1/campaigns/${campaign.body.id}/tasks`, {
    token: admin,
    body: { title: 'Follow', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 2 },
  });
  const user = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name: `User of ${slug}`, phone } });
  const session = await system.request('POST', `/api/v1/end-users/${user.body.id}/session`, { token: admin });
  const claim = await system.request('POST', `/api/v1/tasks/${task.body.id}/claims`, { token: session.body.token, body: {} });
  expect([campaign.status, task.status, user.status, session.status, claim.status]).toEqual([201, 201, 201, 201, 202]);
  const account = await system.deps.db.whatsappAccount.create({
    data: {
      tenantId: tenant.body.id,
      wabaId: `waba-${slug}`,
      phoneNumberId: `pn-${slug}`,
      displayPhoneNumber: phone,
      accessToken: system.deps.secrets.seal(`token-of-${slug}`),
      status: 'ACTIVE',
    },
  });
  return {
    id: tenant.body.id,
    admin,
    campaignId: campaign.body.id,
    taskId: task.body.id,
    endUserId: user.body.id,
    endUserToken: session.body.token,
    claimId: claim.body.completionId,
    workflowId: claim.body.workflowId,
    whatsappAccountId: account.id,
  };
}

/** Everything tenant A owns, as stored, plus the signals its claim's workflow has received. */
async function snapshotOfA() {
  const db = system.deps.db;
  const signals = (await system.deps.temporal.workflow.getHandle(a.workflowId).fetchHistory()).events?.filter(
    (event) => event.workflowExecutionSignaledEventAttributes,
  );
  return {
    tenant: await db.tenant.findUniqueOrThrow({ where: { id: a.id } }),
    campaigns: await db.campaign.findMany({ where: { tenantId: a.id }, orderBy: { id: 'asc' } }),
    tasks: await db.socialMediaTask.findMany({ where: { tenantId: a.id }, orderBy: { id: 'asc' } }),
    endUsers: await db.endUser.findMany({ where: { tenantId: a.id }, orderBy: { id: 'asc' } }),
    claims: await db.claim.findMany({ where: { tenantId: a.id }, orderBy: { id: 'asc' } }),
    whatsappAccounts: await db.whatsappAccount.findMany({ where: { tenantId: a.id }, orderBy: { id: 'asc' } }),
    signalCount: signals?.length ?? 0,
  };
}

type Probe = [string, string, () => string, (fixture: TenantFixture) => string, unknown?];

// [name, method, path builder on A's ids, which token of B, body]
const probes: Probe[] = [
  ['campaign get', 'GET', () => `/api/v1/campaigns/${a.campaignId}`, (t) => t.admin],
  ['campaign patch', 'PATCH', () => `/api/v1/campaigns/${a.campaignId}`, (t) => t.admin, { name: 'hijacked', notificationStartHour: 0 }],
  ['campaign tasks list', 'GET', () => `/api/v1/campaigns/${a.campaignId}/tasks`, (t) => t.admin],
  [
    'campaign task create',
    'POST',
    () => `/api/v1/campaigns/${a.campaignId}/tasks`,
    (t) => t.admin,
    { title: 'Injected', platform: 'INSTAGRAM', actionType: 'LIKE', spinsReward: 1 },
  ],
  ['task update', 'PATCH', () => `/api/v1/tasks/${a.taskId}`, (t) => t.admin, { title: 'Injected' }],
  ['task check', 'POST', () => `/api/v1/tasks/${a.taskId}/check`, (t) => t.admin],
  ['end user get', 'GET', () => `/api/v1/end-users/${a.endUserId}`, (t) => t.admin],
  ['end user update (handle rebind)', 'PATCH', () => `/api/v1/end-users/${a.endUserId}`, (t) => t.admin, { instagramUsername: 'stolen.handle' }],
  ['end user session', 'POST', () => `/api/v1/end-users/${a.endUserId}/session`, (t) => t.admin],
  ['completion get', 'GET', () => `/api/v1/completions/${a.claimId}`, (t) => t.admin],
  ['completion approve', 'POST', () => `/api/v1/completions/${a.claimId}/approve`, (t) => t.admin],
  ['completion reject', 'POST', () => `/api/v1/completions/${a.claimId}/reject`, (t) => t.admin, { reason: 'cross-tenant' }],
  ['completion notify-now', 'POST', () => `/api/v1/completions/${a.claimId}/notify-now`, (t) => t.admin],
  ['claim get', 'GET', () => `/api/v1/claims/${a.claimId}`, (t) => t.endUserToken],
  ['claim create on the other tenant’s task', 'POST', () => `/api/v1/tasks/${a.taskId}/claims`, (t) => t.endUserToken, { handle: 'b' }],
  ['WhatsApp account disconnect', 'DELETE', () => `/api/v1/whatsapp/accounts/${a.whatsappAccountId}`, (t) => t.admin],
  [
    'WhatsApp account test message',
    'POST',
    () => `/api/v1/whatsapp/accounts/${a.whatsappAccountId}/test-message`,
    (t) => t.admin,
    { to: '+49170000001' },
  ],
  ['WhatsApp account templates', 'GET', () => `/api/v1/whatsapp/accounts/${a.whatsappAccountId}/templates`, (t) => t.admin],
];

describe('tenant B on tenant A’s resources', () => {
  // Rest parameters: jest would take a declared parameter beyond a row's length for a `done` callback.
  test.each(probes)('%s → 404 as if absent; A unchanged', async (...[name, method, path, tokenOf, body]: Probe) => {
    if (name === 'completion notify-now') {
      // Make notify-now allowed by state, so only the tenant check can refuse it.
      await system.deps.db.claim.update({
        where: { id: a.claimId },
        data: { status: 'VERIFIED', notificationStatus: 'WAITING_FOR_WINDOW' },
      });
    }
    const before = await snapshotOfA();
    const response = await system.request(method, path(), { token: tokenOf(b), ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    expect(await snapshotOfA()).toEqual(before);
    if (name === 'completion notify-now') {
      await system.deps.db.claim.update({ where: { id: a.claimId }, data: { status: 'PENDING', notificationStatus: 'PENDING' } });
    }
  });

  test('the same requests with A’s own tokens succeed (the probes aim at real resources)', async () => {
    const get = await system.request('GET', `/api/v1/campaigns/${a.campaignId}`, { token: a.admin });
    const user = await system.request('GET', `/api/v1/end-users/${a.endUserId}`, { token: a.admin });
    const claim = await system.request('GET', `/api/v1/completions/${a.claimId}`, { token: a.admin });
    const ownClaim = await system.request('GET', `/api/v1/claims/${a.claimId}`, { token: a.endUserToken });
    expect([get.status, user.status, claim.status, ownClaim.status]).toEqual([200, 200, 200, 200]);
  });

  test('a B end-user token whose sub is A’s end user still cannot reach A', async () => {
    const forged = tokens.endUser(b.id, a.endUserId);
    expect((await system.request('GET', `/api/v1/claims/${a.claimId}`, { token: forged })).status).toBe(404);
    expect((await system.request('POST', `/api/v1/tasks/${a.taskId}/claims`, { token: forged, body: {} })).status).toBe(404);
    // Nor can it claim B's task as a user B does not have.
    expect((await system.request('POST', `/api/v1/tasks/${b.taskId}/claims`, { token: forged, body: {} })).status).toBe(404);
    expect(await system.deps.db.claim.count({ where: { userId: a.endUserId } })).toBe(1);
  });

  test('a cross-tenant claim starts no workflow: B’s only claim workflow is its own', async () => {
    expect(await system.deps.db.claim.count({ where: { taskId: a.taskId } })).toBe(1);
    expect(await system.deps.db.claim.count({ where: { tenantId: b.id } })).toBe(1);
    // Visibility is eventually consistent: wait until B's own (earlier-started) claim is listed, then
    // nothing else may be listed under B's tenant id.
    const query = `${TENANT_ID.name} = '${b.id}'`;
    let listed: string[] = [];
    for (let attempt = 0; attempt < 100 && !listed.includes(b.workflowId); attempt++) {
      listed = [];
      for await (const execution of system.deps.temporal.workflow.list({ query })) listed.push(execution.workflowId);
      if (!listed.includes(b.workflowId)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed).toEqual([b.workflowId]);
  });
});

describe('lists and settings only ever show the token’s tenant', () => {
  test('campaign, completion and WhatsApp account lists, with or without a tenantId/campaignId naming A', async () => {
    const accounts = await system.request('GET', `/api/v1/whatsapp/accounts?tenantId=${a.id}`, { token: b.admin });
    expect(accounts.status).toBe(200);
    expect(JSON.stringify(accounts.body)).not.toContain(a.whatsappAccountId);
    expect(JSON.stringify(accounts.body)).toContain(b.whatsappAccountId);
    const campaigns = await system.request('GET', `/api/v1/campaigns?tenantId=${a.id}`, { token: b.admin });
    expect(campaigns.body.items.map((c: { id: string }) => c.id)).toEqual([b.campaignId]);
    const claims = await system.request('GET', `/api/v1/completions?tenantId=${a.id}`, { token: b.admin });
    expect(claims.body.items.map((c: { id: string }) => c.id)).toEqual([b.claimId]);
    const byForeignCampaign = await system.request('GET', `/api/v1/completions?campaignId=${a.campaignId}`, { token: b.admin });
    expect(byForeignCampaign.body).toEqual({ items: [], nextCursor: null });
  });

  test('settings: B reads and writes its own tenant only', async () => {
    const read = await system.request('GET', `/api/v1/tenant/settings?tenantId=${a.id}`, { token: b.admin });
    expect(read.status).toBe(200);
    expect(read.body.timezone).toBe('Europe/Berlin');
    expect(read.body.waConfig.apiUrl).toBe('https://wa.iso-b.example/send');
    expect(JSON.stringify(read.body)).not.toContain('key-of-iso-b-123456');

    const before = await snapshotOfA();
    const write = await system.request('PUT', `/api/v1/tenant/settings?tenantId=${a.id}`, { token: b.admin, body: { timezone: 'Asia/Tokyo' } });
    expect(write.status).toBe(200);
    expect(await snapshotOfA()).toEqual(before);
    expect((await system.deps.db.tenant.findUniqueOrThrow({ where: { id: b.id } })).timezone).toBe('Asia/Tokyo');
  });

  test('a tenantId in a body is refused (422) and writes nothing anywhere', async () => {
    const before = await snapshotOfA();
    const countB = await system.deps.db.campaign.count({ where: { tenantId: b.id } });
    const bodies: [string, string, unknown][] = [
      ['POST', '/api/v1/campaigns', { name: 'Smuggled', tenantId: a.id }],
      ['POST', '/api/v1/end-users', { name: 'Smuggled', phone: '+51999000777', tenantId: a.id }],
      ['POST', `/api/v1/campaigns/${b.campaignId}/tasks`, { title: 't', platform: 'INSTAGRAM', actionType: 'LIKE', spinsReward: 1, tenantId: a.id }],
      ['PATCH', `/api/v1/campaigns/${b.campaignId}`, { tenantId: a.id }],
      ['PUT', '/api/v1/tenant/settings', { timezone: 'UTC', tenantId: a.id }],
    ];
    for (const [method, path, body] of bodies) {
      const response = await system.request(method, path, { token: b.admin, body });
      expect({ path, status: response.status }).toEqual({ path, status: 422 });
    }
    expect(await snapshotOfA()).toEqual(before);
    expect(await system.deps.db.campaign.count({ where: { tenantId: b.id } })).toBe(countB);
  });

  test('B may register a person A already has (the phone is unique per tenant only)', async () => {
    const response = await system.request('POST', '/api/v1/end-users', { token: b.admin, body: { name: 'Same person', phone: '+51999000001' } });
    expect(response.status).toBe(201);
    expect(await system.deps.db.endUser.count({ where: { phone: '+51999000001' } })).toBe(2);
  });
});
