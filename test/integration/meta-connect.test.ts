// Connecting WhatsApp accounts through Meta's redirect flow and Embedded Signup, against the fake
// Graph API on 127.0.0.1, the real app, PostgreSQL and a Temporal dev server. Asserts on rows, on
// what the fake received, and on the schedules Temporal holds.
import { ScheduleNotFoundError } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig } from '../../src/config.js';
import { createStateSigner } from '../../src/features/meta-connect/oauth-state.js';
import { createApp } from '../../src/http/app.js';
import {
  REFRESH_CATCHUP_WINDOW_MS,
  REFRESH_SCHEDULE_PREFIX,
  refreshInterval,
  refreshScheduleId,
} from '../../src/temporal/token-refresh-schedules.js';
import { metaErrorReply, startFakeMeta, type FakeMeta, type FakeToken } from '../fakes/fake-meta.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { TEST_JWT_SECRET, tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

const PIN = '246810';
const DAY_MS = 86_400_000;

let fake: FakeMeta;
let system: TestSystem;
let slugCounter = 0;

beforeAll(async () => {
  fake = await startFakeMeta({ appSecret: 'test-app-secret' });
  system = await startTestSystem({
    env: {
      ...fakeMetaEnv(fake),
      META_REGISTRATION_PIN: PIN,
      META_DASHBOARD_URL: 'https://dashboard.example.test/whatsapp/connected',
    },
  });
});

afterAll(async () => {
  await system?.stop();
  await fake?.close();
});

async function newTenant() {
  slugCounter++;
  const tenant = await system.deps.db.tenant.create({ data: { name: `Tenant ${slugCounter}`, slug: `connect-${slugCounter}` } });
  return { ...tenant, token: tokens.tenantAdmin(tenant.id) };
}

/** A WABA with numbers, as a business would have it at Meta. */
function seedWaba(numbers = 1, options: { registered?: boolean } = {}) {
  const waba = fake.addWaba({ name: 'Acme Business' });
  const phones = Array.from({ length: numbers }, (_, index) =>
    fake.addPhoneNumber(waba.id, {
      displayPhoneNumber: `+1 555-01${String(slugCounter).padStart(2, '0')}-${index}${index}`,
      verifiedName: 'Acme',
      registered: options.registered ?? false,
    }),
  );
  return { waba, phones };
}

/** What the code exchange issues: a business (BISU) token granted the WABAs, never expiring unless told. */
function businessToken(wabaIds: string[], init: Partial<FakeToken> = {}): Partial<FakeToken> {
  return {
    type: 'SYSTEM_USER',
    scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
    granularScopes: [
      { scope: 'whatsapp_business_management', targetIds: wabaIds },
      { scope: 'whatsapp_business_messaging', targetIds: wabaIds },
    ],
    expiresAt: 0,
    ...init,
  };
}

async function startConnect(token: string) {
  const response = await system.request('GET', '/api/v1/meta/connect', { token });
  expect(response.status).toBe(200);
  return response.body as { url: string; state: string };
}

/** The dashboard's half of the redirect flow: the code and state the callback page handed it, with the admin's JWT. */
function complete(params: { code: string; state: string }, token: string) {
  return system.request('POST', '/api/v1/meta/oauth/complete', { token, body: params });
}

async function connectViaRedirect(tenantToken: string, issued: Partial<FakeToken>) {
  const { state } = await startConnect(tenantToken);
  const code = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: issued });
  return complete({ code, state }, tenantToken);
}

const accountsOf = (tenantId: string) => system.deps.db.whatsappAccount.findMany({ where: { tenantId }, orderBy: { phoneNumberId: 'asc' } });
const openToken = (sealed: string | null) => system.deps.secrets.open(sealed as string);
const describeSchedule = (accountId: string) => system.deps.temporal.schedule.getHandle(refreshScheduleId(accountId)).describe();

async function scheduleExists(accountId: string): Promise<boolean> {
  try {
    await describeSchedule(accountId);
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

describe('GET /api/v1/meta/connect', () => {
  test('returns the login dialog URL with a signed single-use state naming the tenant, and the Embedded Signup settings', async () => {
    const tenant = await newTenant();
    const response = await system.request('GET', '/api/v1/meta/connect', { token: tenant.token });
    expect(response.status).toBe(200);
    expect(response.body.embeddedSignup).toEqual({ appId: fake.appId, configId: 'test-es-config', graphVersion: 'v26.0' });
    const url = new URL(response.body.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://www.facebook.com/v26.0/dialog/oauth');
    expect(url.searchParams.get('client_id')).toBe(fake.appId);
    expect(url.searchParams.get('redirect_uri')).toBe(system.config.meta.oauthRedirectUri);
    expect(url.searchParams.get('config_id')).toBe('test-es-config');
    expect(url.searchParams.get('state')).toBe(response.body.state);

    const payload = createStateSigner(TEST_JWT_SECRET).verify(response.body.state);
    expect(payload.tenantId).toBe(tenant.id);
    const row = await system.deps.db.oAuthState.findUniqueOrThrow({ where: { id: payload.nonce } });
    expect(row).toMatchObject({ tenantId: tenant.id, usedAt: null });
    const ttl = row.expiresAt.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
  });

  test('needs a tenant admin', async () => {
    const tenant = await newTenant();
    const response = await system.request('GET', '/api/v1/meta/connect', { token: tokens.endUser(tenant.id, 'someone') });
    expect(response.status).toBe(403);
  });

  test('without the Meta app settings: 409 NOT_CONFIGURED naming what is missing', async () => {
    const config = loadConfig({ ...BASE_TEST_ENV, META_APP_SECRET: '', META_OAUTH_REDIRECT_URI: '', DATABASE_URL: system.database.url });
    const server: Server = await new Promise((resolve) => {
      const listening = createApp({ ...system.deps, config }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const tenant = await newTenant();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/meta/connect`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${tenant.token}` } });
      expect(response.status).toBe(409);
      const body = (await response.json()) as { error: { code: string; message: string; details: { missing: string[] } } };
      expect(body.error.code).toBe('NOT_CONFIGURED');
      expect(body.error.message).toContain('META_APP_SECRET');
      expect(body.error.details.missing).toEqual(['META_APP_SECRET', 'META_OAUTH_REDIRECT_URI']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('GET /meta/callback: success', () => {
  test('a never-expiring business token: one account per number, token sealed, app subscribed, numbers registered, one schedule each', async () => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(2);
    const response = await connectViaRedirect(tenant.token, businessToken([waba.id]));
    expect(response.status).toBe(201);
    expect(response.body.accounts).toHaveLength(2);

    const rows = await accountsOf(tenant.id);
    expect(rows.map((row) => row.phoneNumberId).sort()).toEqual(phones.map((phone) => phone.id).sort());
    const issuedToken = openToken(rows[0]!.accessToken);
    expect(fake.state.tokens.get(issuedToken)?.type).toBe('SYSTEM_USER');
    for (const row of rows) {
      expect(row).toMatchObject({
        wabaId: waba.id,
        status: 'ACTIVE',
        statusReason: null,
        lastRefreshError: null,
        tokenExpiresAt: null,
        verifiedName: 'Acme',
      });
      expect(row.scopes).toEqual(['whatsapp_business_management', 'whatsapp_business_messaging']);
      expect(openToken(row.accessToken)).toBe(issuedToken);
    }
    // Encrypted at rest: the column holds a sealed envelope, never the token.
    const raw = await system.database.query<{ accessToken: string }>('SELECT "accessToken" FROM "WhatsappAccount" WHERE "tenantId" = $1', [
      tenant.id,
    ]);
    for (const { accessToken } of raw) {
      expect(accessToken.startsWith('v1.')).toBe(true);
      expect(accessToken).not.toContain(issuedToken);
    }
    // Never in the answer either.
    expect(response.text).not.toContain(issuedToken);
    for (const account of response.body.accounts) expect(Object.keys(account)).not.toContain('accessToken');

    // Onboarding at Meta: subscribed once per WABA, each number registered with the PIN.
    expect(waba.subscribedAppIds).toEqual([fake.appId]);
    expect(fake.graphRequests({ method: 'POST', path: `/${waba.id}/subscribed_apps` })).toHaveLength(1);
    for (const phone of phones) {
      expect(phone.registered).toBe(true);
      expect(phone.pin).toBe(PIN);
    }
    // A business token is kept as issued: no fb_exchange_token.
    expect(
      fake.graphRequests({ path: '/oauth/access_token' }).filter((request) => request.query.get('fb_exchange_token') === issuedToken),
    ).toHaveLength(0);

    // Exactly one schedule per account, with the contract's id, interval, policies and memo.
    for (const row of rows) {
      const description = await describeSchedule(row.id);
      const { everyMs, offsetMs } = refreshInterval(system.config, row.id);
      expect(description.spec.intervals).toEqual([{ every: everyMs, offset: offsetMs }]);
      expect(everyMs).toBe(24 * 3_600_000);
      expect(description.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: REFRESH_CATCHUP_WINDOW_MS });
      expect(description.memo).toEqual({ tenantSlug: tenant.slug, accountId: row.id, displayPhoneNumber: row.displayPhoneNumber, wabaId: waba.id });
      expect(description.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'refreshWhatsappToken',
        workflowId: refreshScheduleId(row.id),
        taskQueue: system.config.temporal.taskQueue,
        args: [{ accountId: row.id }],
      });
      expect(description.state.paused).toBe(false);
      const ids: string[] = [];
      for await (const summary of system.deps.temporal.schedule.list()) {
        if (summary.scheduleId === refreshScheduleId(row.id)) ids.push(summary.scheduleId);
      }
      expect(ids.length).toBeLessThanOrEqual(1); // listing is eventually consistent; describe proved it exists
    }
  });

  test('an expiring user token is exchanged for the long-lived one and its expiry stored', async () => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(1);
    const shortLived = { ...businessToken([waba.id]), type: 'USER', expiresAt: fake.clock.now() + 3_600_000 };
    const response = await connectViaRedirect(tenant.token, shortLived);
    expect(response.status).toBe(201);

    const [row] = await accountsOf(tenant.id);
    const stored = openToken(row!.accessToken);
    const record = fake.state.tokens.get(stored)!;
    // The stored token came from fb_exchange_token (60 days), not the 1-hour one from the code.
    const exchanges = fake
      .graphRequests({ path: '/oauth/access_token' })
      .filter((request) => request.query.get('grant_type') === 'fb_exchange_token');
    expect(exchanges.length).toBeGreaterThanOrEqual(1);
    expect(record.expiresAt - fake.clock.now()).toBeGreaterThan(59 * DAY_MS);
    expect(row!.tokenExpiresAt?.getTime()).toBe(Math.floor(record.expiresAt / 1000) * 1000);
    expect(row!.phoneNumberId).toBe(phones[0]!.id);
  });

  test('a 60-day business token is stored with its expiry as issued', async () => {
    const tenant = await newTenant();
    const { waba } = seedWaba(1);
    const expiresAt = fake.clock.now() + 60 * DAY_MS;
    expect((await connectViaRedirect(tenant.token, businessToken([waba.id], { expiresAt }))).status).toBe(201);
    const [row] = await accountsOf(tenant.id);
    expect(row!.tokenExpiresAt?.getTime()).toBe(Math.floor(expiresAt / 1000) * 1000);
    expect(fake.state.tokens.get(openToken(row!.accessToken))?.expiresAt).toBe(expiresAt);
  });
});

describe('POST /api/v1/meta/oauth/complete: the state', () => {
  async function expectRefused(response: Awaited<ReturnType<typeof complete>>, reason: string, tenantId: string, code: string) {
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
    expect(response.body.error.details.reason).toBe(reason);
    expect(await accountsOf(tenantId)).toEqual([]);
    // The code never reached Meta.
    expect(fake.graphRequests({ path: '/oauth/access_token' }).some((request) => request.query.get('code') === code)).toBe(false);
  }

  test('forged: a tampered signature, another tenant swapped in, or a state we never issued', async () => {
    const tenant = await newTenant();
    const victim = await newTenant();
    const { waba } = seedWaba(1);
    const { state } = await startConnect(tenant.token);
    const code = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });

    const [payload, signature] = state.split('.') as [string, string];
    const flipped = `${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expectRefused(await complete({ code, state: flipped }, tenant.token), 'forged', tenant.id, code);

    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const swapped = `${Buffer.from(JSON.stringify({ ...decoded, t: victim.id })).toString('base64url')}.${signature}`;
    await expectRefused(await complete({ code, state: swapped }, tenant.token), 'forged', victim.id, code);

    const signedByOtherKey = createStateSigner('another-secret-that-is-at-least-32-characters').sign({
      tenantId: tenant.id,
      userId: `admin-of-${tenant.id}`,
      nonce: 'n'.repeat(32),
      expiresAt: new Date(Date.now() + 60_000),
    });
    await expectRefused(await complete({ code, state: signedByOtherKey }, tenant.token), 'forged', tenant.id, code);

    const neverIssued = createStateSigner(TEST_JWT_SECRET).sign({
      tenantId: tenant.id,
      userId: `admin-of-${tenant.id}`,
      nonce: 'x'.repeat(32),
      expiresAt: new Date(Date.now() + 60_000),
    });
    await expectRefused(await complete({ code, state: neverIssued }, tenant.token), 'forged', tenant.id, code);
    await expectRefused(await complete({ code, state: 'garbage' }, tenant.token), 'malformed', tenant.id, code);
    expect((await complete({ code } as { code: string; state: string }, tenant.token)).status).toBe(422);
  });

  test('expired: past its signed expiry, or its stored expiry', async () => {
    const tenant = await newTenant();
    const { waba } = seedWaba(1);
    const code = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });

    const signer = createStateSigner(TEST_JWT_SECRET);
    const nonce = 'e'.repeat(32);
    await system.deps.db.oAuthState.create({ data: { id: nonce, tenantId: tenant.id, expiresAt: new Date(Date.now() - 1000) } });
    const stale = signer.sign({ tenantId: tenant.id, userId: `admin-of-${tenant.id}`, nonce, expiresAt: new Date(Date.now() - 1000) });
    await expectRefused(await complete({ code, state: stale }, tenant.token), 'expired', tenant.id, code);

    const { state } = await startConnect(tenant.token);
    const { nonce: issuedNonce } = signer.verify(state);
    await system.deps.db.oAuthState.update({ where: { id: issuedNonce }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectRefused(await complete({ code, state }, tenant.token), 'expired', tenant.id, code);
  });

  test('replayed: a state works once; the second callback is refused before Meta is called', async () => {
    const tenant = await newTenant();
    const { waba } = seedWaba(1);
    const { state } = await startConnect(tenant.token);
    const first = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });
    expect((await complete({ code: first, state }, tenant.token)).status).toBe(201);
    const before = await accountsOf(tenant.id);

    const second = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });
    const replay = await complete({ code: second, state }, tenant.token);
    expect(replay.status).toBe(400);
    expect(replay.body.error.details.reason).toBe('replayed');
    expect(fake.graphRequests({ path: '/oauth/access_token' }).some((request) => request.query.get('code') === second)).toBe(false);
    expect(await accountsOf(tenant.id)).toEqual(before);
  });

  test('concurrent callbacks with one state: exactly one proceeds', async () => {
    const tenant = await newTenant();
    const { waba } = seedWaba(1);
    const { state } = await startConnect(tenant.token);
    const codes = [1, 2, 3].map(() =>
      fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) }),
    );
    const responses = await Promise.all(codes.map((code) => complete({ code, state }, tenant.token)));
    expect(responses.map((response) => response.status).sort()).toEqual([201, 400, 400]);
    expect(await accountsOf(tenant.id)).toHaveLength(1);
  });

  test("Meta's error parameters (the admin cancelled): the callback page says so, stores nothing and spends nothing", async () => {
    const tenant = await newTenant();
    const { state } = await startConnect(tenant.token);
    const params = { error: 'access_denied', error_code: '200', error_reason: 'user_denied', error_description: 'Permissions error', state };
    const response = await system.request('GET', `/meta/callback?${new URLSearchParams(params).toString()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain('The sign-in was cancelled, or the requested permissions were not granted.');
    const { nonce } = createStateSigner(TEST_JWT_SECRET).verify(state);
    expect((await system.deps.db.oAuthState.findUniqueOrThrow({ where: { id: nonce } })).usedAt).toBeNull();
    expect(await accountsOf(tenant.id)).toEqual([]);
  });

  test('attacker-chosen error text is neither shown on our origin nor handed on: our sentence for the code, and the code only', async () => {
    const tenant = await newTenant();
    const { state } = await startConnect(tenant.token);
    const bait = 'Your account is suspended. Call +1 555 0100 or visit evil.example to restore it';
    for (const [error, sentence] of [
      ['access_denied', 'The sign-in was cancelled'],
      ['<b>pwned</b> call evil.example', 'Meta reported an error we do not recognise.'],
    ] as const) {
      const params = { error, error_reason: `${bait} (reason)`, error_description: bait, state };
      const response = await system.request('GET', `/meta/callback?${new URLSearchParams(params).toString()}`);
      expect(response.status).toBe(200);
      expect(response.text).toContain(sentence);
      expect(response.text).not.toContain('evil.example');
      expect(response.text).not.toContain('555 0100');
      expect(response.text).not.toContain('pwned');
      const handoff = JSON.parse(/<script type="application\/json" id="handoff">(.*?)<\/script>/s.exec(response.text)?.[1] ?? 'null');
      expect(handoff.message).toEqual({
        type: 'meta-oauth-callback',
        state,
        error: error === 'access_denied' ? 'access_denied' : 'unrecognized_error',
      });
    }
  });
});

describe('account-linking CSRF: only the admin who started a connection can complete it', () => {
  test("the code of someone else's account, completed with another tenant's or another admin's token: 403, nothing stored, code unused", async () => {
    const attacker = await newTenant();
    const victim = await newTenant();
    const { waba } = seedWaba(1);
    // The attacker starts the flow and sends the dialog URL to the victim, who approves it.
    const { state } = await startConnect(attacker.token);
    const code = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });

    // The code reaches the victim's dashboard, signed in as the victim: not theirs to complete.
    const asVictim = await complete({ code, state }, victim.token);
    expect(asVictim.status).toBe(403);
    expect(asVictim.body.error.code).toBe('FORBIDDEN');
    // Another admin of the attacker's own tenant cannot complete it either.
    const colleague = await complete({ code, state }, tokens.tenantAdmin(attacker.id, TEST_JWT_SECRET, 'another-admin'));
    expect(colleague.status).toBe(403);

    expect(await accountsOf(attacker.id)).toEqual([]);
    expect(await accountsOf(victim.id)).toEqual([]);
    expect(fake.graphRequests({ path: '/oauth/access_token' }).some((request) => request.query.get('code') === code)).toBe(false);
    // Not spent: the admin who started it can still finish (had they been the one Meta sent back).
    const { nonce } = createStateSigner(TEST_JWT_SECRET).verify(state);
    expect((await system.deps.db.oAuthState.findUniqueOrThrow({ where: { id: nonce } })).usedAt).toBeNull();
    expect((await complete({ code, state }, attacker.token)).status).toBe(201);
  });

  test('needs a tenant admin JWT (401 without, 403 for an end user)', async () => {
    const tenant = await newTenant();
    const { state } = await startConnect(tenant.token);
    expect((await system.request('POST', '/api/v1/meta/oauth/complete', { body: { code: 'c', state } })).status).toBe(401);
    expect((await complete({ code: 'c', state }, tokens.endUser(tenant.id, `admin-of-${tenant.id}`))).status).toBe(403);
  });

  test('GET /meta/callback stores nothing: no account, no code exchange, the state unspent', async () => {
    const tenant = await newTenant();
    const { waba } = seedWaba(1);
    const { state } = await startConnect(tenant.token);
    const code = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });
    const response = await system.request('GET', `/meta/callback?${new URLSearchParams({ code, state }).toString()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.text).toContain('"origin":"https://dashboard.example.test"');
    expect(response.text).toMatch(/Opened this by mistake\?/);
    expect(await accountsOf(tenant.id)).toEqual([]);
    expect(fake.graphRequests({ path: '/oauth/access_token' }).some((request) => request.query.get('code') === code)).toBe(false);
  });
});

describe('GET /meta/callback: a Meta error at any step leaves nothing half-stored', () => {
  const unavailable = { error: { message: 'Service temporarily unavailable', code: 2, is_transient: true }, status: 503 };
  const steps = [
    { name: 'code exchange (Meta down)', fault: { method: 'GET', path: '/oauth/access_token', ...unavailable }, status: 502 },
    {
      name: 'code exchange (bad code)',
      fault: { method: 'GET', path: '/oauth/access_token', error: { message: 'Invalid verification code format.', code: 100 } },
      status: 400,
    },
    { name: 'debug_token', fault: { method: 'GET', path: '/debug_token', ...unavailable }, status: 502 },
    { name: 'WABA lookup', fault: { method: 'GET', path: /^\/\d+$/, ...unavailable }, status: 502 },
    { name: 'phone numbers', fault: { method: 'GET', path: /\/phone_numbers$/, ...unavailable }, status: 502 },
    {
      name: 'subscribed_apps',
      fault: { method: 'POST', path: /\/subscribed_apps$/, error: { message: '(#200) Permissions error', code: 200 }, status: 403 },
      status: 502,
    },
    { name: 'register (second number)', fault: { method: 'POST', path: /\/register$/, ...unavailable }, skip: 1, status: 502 },
  ] as const;

  test.each(steps)('$name → $status, no account, no schedule, state spent', async ({ fault, status, ...rest }) => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(2);
    const { state } = await startConnect(tenant.token);
    const code = fake.issueCode({ redirectUri: system.config.meta.oauthRedirectUri as string, token: businessToken([waba.id]) });
    const skip = 'skip' in rest ? rest.skip : 0;
    const undo =
      skip > 0
        ? fake.override(
            'POST',
            /^\/\d+\/register$/,
            (() => {
              let seen = 0;
              return () => (++seen > skip ? metaErrorReply(fault.error, 503) : undefined);
            })(),
          )
        : undefined;
    const handle = skip > 0 ? undefined : fake.failNext(fault);
    try {
      const response = await complete({ code, state }, tenant.token);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(status === 400 ? 'BAD_REQUEST' : 'UPSTREAM_ERROR');
      expect(response.body.error.message).toMatch(/Meta/);
      expect(response.text).not.toContain(fake.appSecret);
      if (handle) expect(handle.hits).toBe(1);
    } finally {
      handle?.cancel();
      undo?.();
    }
    expect(await accountsOf(tenant.id)).toEqual([]);
    const { nonce } = createStateSigner(TEST_JWT_SECRET).verify(state);
    expect((await system.deps.db.oAuthState.findUniqueOrThrow({ where: { id: nonce } })).usedAt).not.toBeNull();
    for (const phone of phones) {
      expect(await system.deps.db.whatsappAccount.findUnique({ where: { phoneNumberId: phone.id } })).toBeNull();
    }
    const ours: string[] = [];
    for await (const summary of system.deps.temporal.schedule.list())
      if (summary.scheduleId.startsWith(REFRESH_SCHEDULE_PREFIX)) ours.push(summary.scheduleId);
    const storedIds = new Set((await system.deps.db.whatsappAccount.findMany({ select: { id: true } })).map((row) => refreshScheduleId(row.id)));
    expect(ours.filter((id) => !storedIds.has(id))).toEqual([]);
  });

  test('the long-lived exchange fails → 502, nothing stored', async () => {
    const tenant = await newTenant();
    const { waba } = seedWaba(1);
    const undo = fake.override(
      'GET',
      /^\/oauth\/access_token$/,
      (context) =>
        context.params.grant_type === 'fb_exchange_token'
          ? metaErrorReply({ message: 'An unexpected error has occurred.', code: 2 }, 500)
          : undefined,
      { auth: 'none' },
    );
    try {
      const response = await connectViaRedirect(tenant.token, { ...businessToken([waba.id]), type: 'USER', expiresAt: fake.clock.now() + 3_600_000 });
      expect(response.status).toBe(502);
      expect(response.body.error.details.step).toBe('long_lived_exchange');
    } finally {
      undo();
    }
    expect(await accountsOf(tenant.id)).toEqual([]);
  });

  test('a token granting no WhatsApp Business account → 400 with a clear message', async () => {
    const tenant = await newTenant();
    const response = await connectViaRedirect(tenant.token, businessToken([]));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/did not grant access to any WhatsApp Business account/);
    expect(await accountsOf(tenant.id)).toEqual([]);
  });
});

describe('reconnecting and ownership', () => {
  test('reconnecting the same number updates its row, replaces the token and revives NEEDS_REAUTH (schedule unpaused)', async () => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(1);
    expect((await connectViaRedirect(tenant.token, businessToken([waba.id]))).status).toBe(201);
    const [first] = await accountsOf(tenant.id);
    const oldToken = openToken(first!.accessToken);

    // The refresh workflow found the token revoked: NEEDS_REAUTH, schedule paused.
    await system.deps.db.whatsappAccount.update({
      where: { id: first!.id },
      data: { status: 'NEEDS_REAUTH', statusReason: 'Meta reports the token as invalid (code 190/458)', lastRefreshError: 'revoked' },
    });
    await system.deps.temporal.schedule.getHandle(refreshScheduleId(first!.id)).pause('Needs reauth: revoked');

    const expiresAt = fake.clock.now() + 60 * DAY_MS;
    const response = await connectViaRedirect(tenant.token, businessToken([waba.id], { expiresAt }));
    expect(response.status).toBe(201);
    const rows = await accountsOf(tenant.id);
    expect(rows).toHaveLength(1);
    const [again] = rows;
    expect(again!.id).toBe(first!.id);
    expect(again!.phoneNumberId).toBe(phones[0]!.id);
    expect(again).toMatchObject({ status: 'ACTIVE', statusReason: null, lastRefreshError: null });
    expect(again!.connectedAt).toEqual(first!.connectedAt);
    expect(again!.tokenExpiresAt?.getTime()).toBe(Math.floor(expiresAt / 1000) * 1000);
    expect(openToken(again!.accessToken)).not.toBe(oldToken);
    expect((await describeSchedule(first!.id)).state.paused).toBe(false);
  });

  test('a number connected by another tenant → 409, nothing stored, nothing done at Meta for the second tenant', async () => {
    const owner = await newTenant();
    const intruder = await newTenant();
    const { waba, phones } = seedWaba(1);
    expect((await connectViaRedirect(owner.token, businessToken([waba.id]))).status).toBe(201);
    const [owned] = await accountsOf(owner.id);
    const subscribeCalls = fake.graphRequests({ method: 'POST', path: `/${waba.id}/subscribed_apps` }).length;

    const response = await connectViaRedirect(intruder.token, businessToken([waba.id]));
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('CONFLICT');
    expect(response.body.error.message).toContain(phones[0]!.displayPhoneNumber);
    expect(await accountsOf(intruder.id)).toEqual([]);
    expect(await accountsOf(owner.id)).toEqual([owned]);
    expect(fake.graphRequests({ method: 'POST', path: `/${waba.id}/subscribed_apps` })).toHaveLength(subscribeCalls);
  });

  test('a number its former tenant disconnected can be connected by another tenant (a fresh row)', async () => {
    const former = await newTenant();
    const next = await newTenant();
    const { waba, phones } = seedWaba(1);
    expect((await connectViaRedirect(former.token, businessToken([waba.id]))).status).toBe(201);
    const [old] = await accountsOf(former.id);
    expect((await system.request('DELETE', `/api/v1/whatsapp/accounts/${old!.id}`, { token: former.token })).status).toBe(200);

    expect((await connectViaRedirect(next.token, businessToken([waba.id]))).status).toBe(201);
    const [taken] = await accountsOf(next.id);
    expect(taken!.phoneNumberId).toBe(phones[0]!.id);
    expect(taken!.id).not.toBe(old!.id);
    expect(await accountsOf(former.id)).toEqual([]);
    expect(await scheduleExists(taken!.id)).toBe(true);
  });
});

describe('POST /api/v1/meta/embedded-signup', () => {
  test('exchanges the code without redirect_uri, checks the ids with the Graph API, stores that one number → 201', async () => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(2);
    const code = fake.issueCode({ token: businessToken([waba.id]) });
    const response = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: { code, wabaId: waba.id, phoneNumberId: phones[1]!.id },
    });
    expect(response.status).toBe(201);
    expect(response.body.accounts).toHaveLength(1);
    expect(response.body.accounts[0]).toMatchObject({ phoneNumberId: phones[1]!.id, wabaId: waba.id, status: 'ACTIVE' });
    const exchange = fake.graphRequests({ path: '/oauth/access_token' }).find((request) => request.query.get('code') === code)!;
    expect(exchange.query.has('redirect_uri')).toBe(false);
    expect(fake.graphRequests({ method: 'GET', path: `/${waba.id}` }).length).toBeGreaterThanOrEqual(1);
    const rows = await accountsOf(tenant.id);
    expect(rows.map((row) => row.phoneNumberId)).toEqual([phones[1]!.id]);
    expect(await scheduleExists(rows[0]!.id)).toBe(true);
  });

  test('a WABA the token was not granted, or a number of another WABA → 400, nothing stored', async () => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(1);
    const other = seedWaba(1);
    const notGranted = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: { code: fake.issueCode({ token: businessToken([waba.id]) }), wabaId: other.waba.id, phoneNumberId: other.phones[0]!.id },
    });
    expect(notGranted.status).toBe(400);
    expect(notGranted.body.error.message).toContain(other.waba.id);

    // Token without granular scopes, restricted to its assets: the Graph API refuses the other WABA.
    const restricted = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: {
        code: fake.issueCode({ token: { ...businessToken([]), granularScopes: [], assets: [waba.id, phones[0]!.id] } }),
        wabaId: other.waba.id,
        phoneNumberId: other.phones[0]!.id,
      },
    });
    expect(restricted.status).toBe(400);
    expect(restricted.body.error.details.step).toBe('verify_assets');

    const wrongNumber = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: { code: fake.issueCode({ token: businessToken([waba.id]) }), wabaId: waba.id, phoneNumberId: other.phones[0]!.id },
    });
    expect(wrongNumber.status).toBe(400);
    expect(await accountsOf(tenant.id)).toEqual([]);
  });

  test('an expired (30-second) code → 400; a malformed body → 422', async () => {
    const tenant = await newTenant();
    const { waba, phones } = seedWaba(1);
    const code = fake.issueCode({ token: businessToken([waba.id]), ttlMs: -1 });
    const expired = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: { code, wabaId: waba.id, phoneNumberId: phones[0]!.id },
    });
    expect(expired.status).toBe(400);
    expect(expired.body.error.message).toMatch(/authorization code/);
    const malformed = await system.request('POST', '/api/v1/meta/embedded-signup', {
      token: tenant.token,
      body: { code, wabaId: '../me', phoneNumberId: phones[0]!.id },
    });
    expect(malformed.status).toBe(422);
    expect(await accountsOf(tenant.id)).toEqual([]);
  });
});
