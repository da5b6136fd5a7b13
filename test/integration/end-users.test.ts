// End users (tenant_admin): phone validation and per-tenant uniqueness, the spins balance from the
// ledger, and the end-user session token that the campaign site uses to claim tasks.
import jwt from 'jsonwebtoken';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { TEST_JWT_SECRET, tokens, TEST_JWT_AUDIENCE, TEST_JWT_ISSUER } from '../support/tokens.js';
import { createTwoTenants } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let admin: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'users-a', 'users-b'));
});

afterAll(async () => {
  await system?.stop();
});

describe('WhatsApp consent on the end user', () => {
  test('an opt-in given at creation is recorded with its source; PATCH null records an opt-out, a new opt-in counts again; the tenant setting is shown and changed', async () => {
    const at = '2026-11-01T10:00:00.000Z';
    const created = await system.request('POST', '/api/v1/end-users', {
      token: admin,
      body: { name: 'Opt', phone: '+51933333333', whatsappOptIn: { source: 'signup-form', at } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ whatsappOptIn: { at, source: 'signup-form' }, whatsappOptedOutAt: null });

    const optedOut = await system.request('PATCH', `/api/v1/end-users/${created.body.id}`, { token: admin, body: { whatsappOptIn: null } });
    expect(optedOut.status).toBe(200);
    expect(optedOut.body.whatsappOptedOutAt).toEqual(expect.any(String));

    const again = await system.request('PATCH', `/api/v1/end-users/${created.body.id}`, {
      token: admin,
      body: { whatsappOptIn: { source: 'kiosk' } },
    });
    expect(again.body.whatsappOptIn.source).toBe('kiosk');
    expect(Date.parse(again.body.whatsappOptIn.at)).toBeGreaterThanOrEqual(Date.parse(again.body.whatsappOptedOutAt));

    const bad = await system.request('PATCH', `/api/v1/end-users/${created.body.id}`, { token: admin, body: { whatsappOptIn: { at } } });
    expect(bad.status).toBe(422);

    const settings = await system.request('GET', '/api/v1/tenant/settings', { token: admin });
    expect(settings.body).toMatchObject({ requireWhatsappOptIn: true, whatsappOptOutKeywords: ['STOP', 'UNSUBSCRIBE', 'PARAR', 'ALTO'] });
    const changed = await system.request('PUT', '/api/v1/tenant/settings', {
      token: admin,
      body: { requireWhatsappOptIn: false, whatsappOptOutKeywords: ['stop', 'basta'] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ requireWhatsappOptIn: false, whatsappOptOutKeywords: ['STOP', 'BASTA'] });
  });
});

describe('POST /api/v1/end-users', () => {
  test('201 with the user; the handle fields are normalised; the row belongs to the token tenant', async () => {
    const response = await system.request('POST', '/api/v1/end-users', {
      token: admin,
      body: { name: ' Ana Torres ', phone: '+51987654321', instagramUsername: '@Ana.Torres', facebookName: 'Ana Torres' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'Ana Torres',
      phone: '+51987654321',
      instagramUsername: 'ana.torres',
      facebookName: 'Ana Torres',
      whatsappOptIn: null,
      whatsappOptedOutAt: null,
      spinsBalance: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await system.deps.db.endUser.findUniqueOrThrow({ where: { id: response.body.id } });
    expect(row.tenantId).toBe(tenantId);
  });

  test('a duplicate phone in the same tenant is 409; the same phone at another tenant is fine', async () => {
    const body = { name: 'Luis', phone: '+14155550100' };
    expect((await system.request('POST', '/api/v1/end-users', { token: admin, body })).status).toBe(201);
    const duplicate = await system.request('POST', '/api/v1/end-users', { token: admin, body: { ...body, name: 'Luis again' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('CONFLICT');
    const elsewhere = await system.request('POST', '/api/v1/end-users', { token: tokens.tenantAdmin(otherTenantId), body });
    expect(elsewhere.status).toBe(201);
    expect(await system.deps.db.endUser.count({ where: { phone: body.phone } })).toBe(2);
  });

  const invalid: [string, object, string][] = [
    ['a phone without +', { name: 'x', phone: '51987654321' }, 'phone'],
    ['a phone with spaces', { name: 'x', phone: '+51 987 654 321' }, 'phone'],
    ['a phone starting with +0', { name: 'x', phone: '+0987654321' }, 'phone'],
    ['a phone too short', { name: 'x', phone: '+12345' }, 'phone'],
    ['a phone too long', { name: 'x', phone: '+1234567890123456' }, 'phone'],
    ['a missing phone', { name: 'x' }, 'phone'],
    ['a missing name', { phone: '+51987654322' }, 'name'],
    ['an impossible Instagram username', { name: 'x', phone: '+51987654323', instagramUsername: 'no spaces allowed' }, 'instagramUsername'],
    ['an unknown field', { name: 'x', phone: '+51987654324', tenantId: 'other' }, ''],
  ];

  test.each(invalid)('%s → 422, nothing written', async (_name, body, path) => {
    const before = await system.deps.db.endUser.count();
    const response = await system.request('POST', '/api/v1/end-users', { token: admin, body });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await system.deps.db.endUser.count()).toBe(before);
  });
});

describe('GET /api/v1/end-users/:id', () => {
  test('spinsBalance is the sum of the user’s credits in the ledger', async () => {
    const created = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name: 'Rich', phone: '+51911111111' } });
    const userId = created.body.id;
    const campaign = await system.deps.db.campaign.create({ data: { tenantId, name: 'Ledger' } });
    const task = await system.deps.db.socialMediaTask.create({
      data: { tenantId, campaignId: campaign.id, title: 't', platform: 'INSTAGRAM', actionType: 'LIKE', spinsReward: 4 },
    });
    const task2 = await system.deps.db.socialMediaTask.create({
      data: { tenantId, campaignId: campaign.id, title: 't2', platform: 'INSTAGRAM', actionType: 'FOLLOW', spinsReward: 6 },
    });
    for (const [taskId, amount] of [
      [task.id, 4],
      [task2.id, 6],
    ] as const) {
      const claim = await system.deps.db.claim.create({
        data: {
          tenantId,
          campaignId: campaign.id,
          taskId,
          userId,
          status: 'VERIFIED',
          spinsAwarded: amount,
          workflowId: `claim-ledger-${taskId}`,
          workflowStartedAt: new Date(),
        },
      });
      await system.deps.db.spinCredit.create({ data: { tenantId, userId, claimId: claim.id, amount } });
    }
    const response = await system.request('GET', `/api/v1/end-users/${userId}`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: userId, name: 'Rich', phone: '+51911111111', spinsBalance: 10 });
  });

  test('an unknown id is 404', async () => {
    const response = await system.request('GET', '/api/v1/end-users/unknown', { token: admin });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });
});

describe('POST /api/v1/end-users/:id/session', () => {
  test('a one-hour HS256 end_user token for that user and tenant, usable on the end-user API', async () => {
    const created = await system.request('POST', '/api/v1/end-users', { token: admin, body: { name: 'Site', phone: '+51922222222' } });
    const response = await system.request('POST', `/api/v1/end-users/${created.body.id}/session`, { token: admin });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });

    const decoded = jwt.verify(response.body.token, TEST_JWT_SECRET, { algorithms: ['HS256'], complete: true });
    expect(decoded.header.alg).toBe('HS256');
    const payload = decoded.payload as jwt.JwtPayload;
    expect(payload).toMatchObject({ sub: created.body.id, role: 'end_user', tenantId, iss: TEST_JWT_ISSUER, aud: TEST_JWT_AUDIENCE });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(Math.abs(new Date(response.body.expiresAt).getTime() - payload.exp! * 1000)).toBeLessThan(2000);

    // The token works where an end user is expected and nowhere a tenant admin is.
    const ownClaim = await system.request('GET', '/api/v1/claims/none-yet', { token: response.body.token });
    expect(ownClaim.status).toBe(404);
    const adminOnly = await system.request('GET', `/api/v1/end-users/${created.body.id}`, { token: response.body.token });
    expect(adminOnly.status).toBe(403);
  });

  test('an unknown end user gets no session (404)', async () => {
    const response = await system.request('POST', '/api/v1/end-users/unknown/session', { token: admin });
    expect(response.status).toBe(404);
  });
});
