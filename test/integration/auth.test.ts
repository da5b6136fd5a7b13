// Authentication and roles at the HTTP edge: every forged, foreign or stale token is 401 with the
// contract's JSON error; a valid token of the wrong role is 403.
import jwt from 'jsonwebtoken';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { TEST_JWT_SECRET, tokens } from '../support/tokens.js';

let system: TestSystem;
let tenantId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  const created = await system.request('POST', '/api/v1/tenants', {
    token: tokens.platformAdmin(),
    body: { name: 'Acme', slug: 'acme-auth' },
  });
  expect(created.status).toBe(201);
  tenantId = created.body.id;
});

afterAll(async () => {
  await system?.stop();
});

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function expectErrorShape(body: any, code: string) {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

describe('401 for anything but a valid HS256 token signed with JWT_SECRET', () => {
  const cases: [string, () => Record<string, string>][] = [
    ['no Authorization header', () => ({})],
    ['a non-bearer scheme', () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['a token signed with another key', () => ({ authorization: `Bearer ${tokens.tenantAdmin(tenantId, 'x'.repeat(40))}` })],
    [
      'an unsigned token (alg: none)',
      () => ({
        authorization: `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
          sub: 'admin',
          role: 'tenant_admin',
          tenantId,
          exp: nowSeconds() + 3600,
        })}.`,
      }),
    ],
    [
      'HS512 with the right secret',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS512', subject: 'admin', expiresIn: 3600 })}`,
      }),
    ],
    [
      'an expired token',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId, exp: nowSeconds() - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin' })}`,
      }),
    ],
    [
      'a tenant_admin token without tenantId',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin' }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: 3600 })}`,
      }),
    ],
    [
      'an unknown role',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'root', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: 3600 })}`,
      }),
    ],
    ['garbage', () => ({ authorization: 'Bearer not.a.jwt' })],
    [
      'a token without exp',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin' })}`,
      }),
    ],
    [
      'an end_user token that lives 7 days (cap: 24 h)',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'end_user', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'u1', expiresIn: '7d' })}`,
      }),
    ],
    [
      'a tenant_admin token that lives 90 days (cap: 30 d)',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: '90d' })}`,
      }),
    ],
    [
      'a token from another issuer',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: 3600, issuer: 'someone-else' })}`,
      }),
    ],
    [
      'a token for another audience',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: 3600, audience: 'billing' })}`,
      }),
    ],
    [
      'a token without iss and aud',
      () => ({
        authorization: `Bearer ${jwt.sign({ role: 'tenant_admin', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: 3600 })}`,
      }),
    ],
    [
      'a tenantId claim with a NUL byte',
      () => ({
        authorization: `Bearer ${tokens.raw({ role: 'tenant_admin', tenantId: `${tenantId}\u0000` }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'admin', expiresIn: 3600 })}`,
      }),
    ],
  ];

  test.each(cases)('%s → 401', async (_name, headers) => {
    const response = await system.request('GET', '/api/v1/campaigns', { headers: headers() });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expectErrorShape(response.body, 'UNAUTHENTICATED');
  });

  test('a valid token whose tenant does not exist (deleted) is 401, and nothing is written', async () => {
    const ghost = tokens.tenantAdmin('tenant-that-was-deleted');
    const read = await system.request('GET', '/api/v1/campaigns', { token: ghost });
    expect(read.status).toBe(401);
    const write = await system.request('POST', '/api/v1/campaigns', { token: ghost, body: { name: 'Orphan' } });
    expect(write.status).toBe(401);
    expectErrorShape(write.body, 'UNAUTHENTICATED');
    expect(await system.deps.db.campaign.count({ where: { name: 'Orphan' } })).toBe(0);
  });

  test('an end_user token of 24 hours is authenticated (then 403 on an admin route, not 401)', async () => {
    const day = tokens.raw({ role: 'end_user', tenantId }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'u1', expiresIn: '24h' });
    expect((await system.request('GET', '/api/v1/campaigns', { headers: { authorization: `Bearer ${day}` } })).status).toBe(403);
  });

  test('the same request with a valid token is answered', async () => {
    const response = await system.request('GET', '/api/v1/campaigns', { token: tokens.tenantAdmin(tenantId) });
    expect(response.status).toBe(200);
  });
});

describe('roles', () => {
  test('an end user cannot use tenant admin endpoints (403)', async () => {
    const response = await system.request('GET', '/api/v1/campaigns', { token: tokens.endUser(tenantId, 'someone') });
    expect(response.status).toBe(403);
    expectErrorShape(response.body, 'FORBIDDEN');
  });

  test('a platform admin is not a tenant admin (403)', async () => {
    const response = await system.request('POST', '/api/v1/campaigns', { token: tokens.platformAdmin(), body: { name: 'x' } });
    expect(response.status).toBe(403);
    expectErrorShape(response.body, 'FORBIDDEN');
  });

  test('a tenant admin cannot create tenants or claim tasks (403)', async () => {
    const tenant = await system.request('POST', '/api/v1/tenants', { token: tokens.tenantAdmin(tenantId), body: { name: 'B', slug: 'bee' } });
    expect(tenant.status).toBe(403);
    const claim = await system.request('POST', '/api/v1/tasks/any/claims', { token: tokens.tenantAdmin(tenantId), body: {} });
    expect(claim.status).toBe(403);
    expect(await system.deps.db.tenant.count({ where: { slug: 'bee' } })).toBe(0);
  });
});

describe('POST /api/v1/tenants (platform_admin)', () => {
  test('201 with the tenant; a duplicate slug is 409; a bad slug is 422 with details', async () => {
    const token = tokens.platformAdmin();
    const created = await system.request('POST', '/api/v1/tenants', {
      token,
      body: { name: 'Lima Shop', slug: 'lima-shop', timezone: 'America/Lima' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: 'Lima Shop', slug: 'lima-shop', timezone: 'America/Lima' });

    const duplicate = await system.request('POST', '/api/v1/tenants', { token, body: { name: 'Other', slug: 'lima-shop' } });
    expect(duplicate.status).toBe(409);
    expectErrorShape(duplicate.body, 'CONFLICT');

    const badSlug = await system.request('POST', '/api/v1/tenants', { token, body: { name: 'Bad', slug: 'Not A Slug!' } });
    expect(badSlug.status).toBe(422);
    expectErrorShape(badSlug.body, 'VALIDATION_FAILED');
    expect(badSlug.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'slug' })]));
    expect(await system.deps.db.tenant.count({ where: { name: { in: ['Other', 'Bad'] } } })).toBe(0);
  });
});

describe('malformed input', () => {
  test('malformed JSON is 400 INVALID_JSON, not 500', async () => {
    const response = await system.request('POST', '/api/v1/campaigns', {
      token: tokens.tenantAdmin(tenantId),
      rawBody: '{"name": "unterminated',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 'INVALID_JSON');
  });

  test('a JSON body that is not an object is 422', async () => {
    const response = await system.request('POST', '/api/v1/campaigns', { token: tokens.tenantAdmin(tenantId), body: [1, 2] });
    expect(response.status).toBe(422);
    expectErrorShape(response.body, 'VALIDATION_FAILED');
  });

  test('an unknown route under /api/v1 is 404 JSON', async () => {
    const response = await system.request('GET', '/api/v1/nothing-here', { token: tokens.tenantAdmin(tenantId) });
    expect(response.status).toBe(404);
    expectErrorShape(response.body, 'NOT_FOUND');
  });
});
