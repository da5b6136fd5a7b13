// Bad bytes and database errors at the HTTP edge: text PostgreSQL cannot
// store is a 4xx naming where it was, never a 500 and never a write; only the "record not found"
// cases a use case expects become 404, and any other Prisma error is a logged 500 with a request id.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { isMissingAccountError } from '../../src/features/campaigns/campaign-input.js';
import { orNotFound } from '../../src/db/prisma-errors.js';
import { AppError } from '../../src/http/errors.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';

let system: TestSystem;
let tenantId: string;
let admin: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  tenantId = await system.createTenant('bad-input');
  admin = tokens.tenantAdmin(tenantId);
});
afterAll(async () => {
  await system?.stop();
});

describe('text PostgreSQL cannot store', () => {
  test('a NUL in a path parameter → 400', async () => {
    const response = await system.request('GET', '/api/v1/campaigns/abc%00def', { token: admin });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
  });

  test('a NUL in a query filter → 422 naming the parameter', async () => {
    const response = await system.request('GET', '/api/v1/completions?campaignId=%00', { token: admin });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'campaignId' })]);
  });

  test.each([
    ['a NUL', 'Summer\u0000sale'],
    ['a lone high surrogate', 'Summer \uD800 sale'],
    ['a lone low surrogate', '\uDC00'],
  ])('%s in a body string → 422 naming the field, and no row', async (_name, name) => {
    const response = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name } });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    expect(await system.deps.db.campaign.count({ where: { tenantId } })).toBe(0);
  });

  test('a NUL deep inside a body and in a key is found too', async () => {
    const nested = await system.request('PUT', '/api/v1/tenant/settings', {
      token: admin,
      body: { waConfig: { apiUrl: 'https://api.provider.example/send', apiKey: 'k\u0000' } },
    });
    expect(nested.status).toBe(422);
    expect(nested.body.error.details).toEqual([expect.objectContaining({ path: 'waConfig.apiKey' })]);
    const key = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { 'na\u0000me': 'x' } });
    expect(key.status).toBe(422);
  });

  test('well-formed text (emoji, accents, RTL marks) is accepted', async () => {
    const response = await system.request('POST', '/api/v1/campaigns', { token: admin, body: { name: 'Café ☕ 😀 \u202E' } });
    expect(response.status).toBe(201);
    expect(response.body.name).toBe('Café ☕ 😀 \u202E');
  });
});

describe('foreign keys: only the one a use case expects is mapped', () => {
  async function p2003(data: { tenantId: string; whatsappAccountId?: string }) {
    return system.deps.db.campaign.create({ data: { name: 'fk', ...data } }).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  test('a missing WhatsApp account is "missing account"; a missing tenant is not', async () => {
    const missingAccount = await p2003({ tenantId, whatsappAccountId: 'no-such-account' });
    expect((missingAccount as { code?: string }).code).toBe('P2003');
    expect(isMissingAccountError(missingAccount)).toBe(true);
    const missingTenant = await p2003({ tenantId: 'no-such-tenant' });
    expect((missingTenant as { code?: string }).code).toBe('P2003');
    expect(isMissingAccountError(missingTenant)).toBe(false);
  });
});

describe('record not found (P2025)', () => {
  const realP2025 = () =>
    system.deps.db.campaign.update({ where: { id: 'no-such-campaign' }, data: { name: 'x' } }).then(
      () => {
        throw new Error('expected P2025');
      },
      (error: unknown) => error,
    );

  test("where a use case expects it (a row that vanished after its check), it is that resource's 404", async () => {
    const failure = await orNotFound(system.deps.db.campaign.update({ where: { id: 'no-such-campaign' }, data: { name: 'x' } }), 'campaign').catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'NOT_FOUND', message: 'campaign not found' });
  });

  test('anywhere else it is a 500 with the request id, logged with the same id (not a 404 that hides a bug)', async () => {
    const error = await realP2025();
    expect((error as { code?: string }).code).toBe('P2025');
    const lines: string[] = [];
    const logger = pino(
      { level: 'error' },
      new Writable({
        write: (chunk, _enc, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const app = express();
    app.use((req, _res, next) => {
      req.requestId = 'req-p2025-test';
      next();
    });
    app.get('/boom', () => {
      throw error;
    });
    app.use(errorHandler(logger));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error', details: { requestId: 'req-p2025-test' } } });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-p2025-test', msg: 'request failed', err: { code: 'P2025' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a malformed body is refused before anything is read', () => {
  // Routes parse the body before the use case reads a row: the answer is the 422 naming the field,
  // even where the row the path names does not exist (reading first would answer 404).
  test.each([
    ['a claim', 'POST', '/api/v1/tasks/no-such-task/claims', () => tokens.endUser(tenantId, 'no-such-user'), { handle: 5 }, 'handle'],
    ['a decision', 'POST', '/api/v1/completions/no-such-completion/approve', () => admin, { reason: 5 }, 'reason'],
    ['a task', 'POST', '/api/v1/campaigns/no-such-campaign/tasks', () => admin, { title: 5 }, 'title'],
  ])('%s', async (_what, method, path, token, body, field) => {
    const response = await system.request(method, path, { token: token(), body });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });
});
