// refreshWhatsappToken on the Temporal dev server (real worker, real activities, PostgreSQL, the
// fake Graph API). The dev server, not the time-skipping one: a rejected token pauses the
// account's Schedule, and the time-skipping server has no Schedules API.
import { randomUUID } from 'node:crypto';
import { refreshScheduleId } from '../../src/temporal/token-refresh-schedules.js';
import type { RefreshWhatsappTokenSummary } from '../../workflows/refresh-whatsapp-token.js';
import { metaErrorReply, startFakeMeta, type FakeMeta, type FakeToken } from '../fakes/fake-meta.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

const DAY_MS = 86_400_000;

let fake: FakeMeta;
let system: TestSystem;
let tenantToken: string;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeMeta({ appSecret: 'test-app-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fake) } });
  const tenant = await system.deps.db.tenant.create({ data: { name: 'Refresh', slug: 'refresh-tenant' } });
  tenantToken = tokens.tenantAdmin(tenant.id);
});

afterAll(async () => {
  await system?.stop();
  await fake?.close();
});

/** Connects a number (which also creates its schedule) whose token the fake issues with `init`. */
async function connectAccount(init: Partial<FakeToken>) {
  counter++;
  const waba = fake.addWaba();
  const phone = fake.addPhoneNumber(waba.id, { displayPhoneNumber: `+1 555-040-${String(counter).padStart(4, '0')}` });
  const code = fake.issueCode({
    token: {
      type: 'SYSTEM_USER',
      scopes: ['whatsapp_business_messaging'],
      granularScopes: [{ scope: 'whatsapp_business_messaging', targetIds: [waba.id] }],
      ...init,
    },
  });
  const response = await system.request('POST', '/api/v1/meta/embedded-signup', {
    token: tenantToken,
    body: { code, wabaId: waba.id, phoneNumberId: phone.id },
  });
  expect(response.status).toBe(201);
  const id: string = response.body.accounts[0].id;
  const row = await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id } });
  return { id, row, token: system.deps.secrets.open(row.accessToken as string) };
}

function refresh(accountId: string): Promise<RefreshWhatsappTokenSummary> {
  return system.deps.temporal.workflow.execute('refreshWhatsappToken', {
    workflowId: `${refreshScheduleId(accountId)}-manual-${randomUUID()}`,
    taskQueue: system.config.temporal.taskQueue,
    args: [{ accountId }],
  });
}

const exchangesOf = (token: string) =>
  fake.graphRequests({ path: '/oauth/access_token' }).filter((request) => request.query.get('fb_exchange_token') === token);
const debugsOf = (token: string) => fake.graphRequests({ path: '/debug_token' }).filter((request) => request.query.get('input_token') === token);
const loadAccount = (id: string) => system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id } });

test('near expiry: exchanged (fb_exchange_token, 60 days), new token stored sealed with its expiry; the result holds no token', async () => {
  const account = await connectAccount({ expiresAt: fake.clock.now() + 2 * DAY_MS });
  const summary = await refresh(account.id);

  const row = await loadAccount(account.id);
  const newToken = system.deps.secrets.open(row.accessToken as string);
  expect(newToken).not.toBe(account.token);
  expect(row.accessToken?.startsWith('v1.')).toBe(true);
  expect(row.tokenExpiresAt!.getTime()).toBe(Math.floor(fake.state.tokens.get(newToken)!.expiresAt / 1000) * 1000);
  expect(row.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(59 * DAY_MS);
  expect(row).toMatchObject({ status: 'ACTIVE', lastRefreshError: null });
  expect(row.lastRefreshedAt).not.toBeNull();

  const [exchange] = exchangesOf(account.token);
  expect(exchange?.query.get('grant_type')).toBe('fb_exchange_token');
  expect(exchange?.query.get('set_token_expires_in_60_days')).toBe('true');
  expect(exchangesOf(account.token)).toHaveLength(1);
  expect(summary).toEqual({ accountId: account.id, result: 'refreshed', tokenExpiresAt: row.tokenExpiresAt!.toISOString() });
  expect(JSON.stringify(summary)).not.toContain(newToken);
});

test('far from expiry: checked with debug_token only, token untouched', async () => {
  const account = await connectAccount({ expiresAt: fake.clock.now() + 50 * DAY_MS });
  const summary = await refresh(account.id);
  expect(summary.result).toBe('unchanged');
  const row = await loadAccount(account.id);
  expect(row.accessToken).toBe(account.row.accessToken);
  expect(row.lastRefreshedAt).toBeNull();
  expect(debugsOf(account.token).length).toBeGreaterThanOrEqual(2); // at connect, and by this run
  expect(exchangesOf(account.token)).toEqual([]);
});

test('a never-expiring token is still checked with debug_token and left as it is', async () => {
  const account = await connectAccount({ expiresAt: 0 });
  const debugsBefore = debugsOf(account.token).length;
  const summary = await refresh(account.id);
  expect(summary).toEqual({ accountId: account.id, result: 'unchanged', tokenExpiresAt: null });
  expect(debugsOf(account.token)).toHaveLength(debugsBefore + 1);
  expect(exchangesOf(account.token)).toEqual([]);
  expect((await loadAccount(account.id)).accessToken).toBe(account.row.accessToken);
});

test('a revoked token (190/458): NEEDS_REAUTH with the reason, schedule paused with a note saying why', async () => {
  const account = await connectAccount({ expiresAt: 0 });
  fake.invalidateToken(account.token, 'revoked');
  const summary = await refresh(account.id);

  expect(summary).toMatchObject({ accountId: account.id, result: 'needs_reauth', schedulePaused: true });
  const row = await loadAccount(account.id);
  expect(row.status).toBe('NEEDS_REAUTH');
  expect(row.statusReason).toMatch(/^Meta reports the token as invalid \(code 190\/458\): Error validating access token/);
  expect(row.lastRefreshError).toBe(row.statusReason);
  expect(row.accessToken).toBe(account.row.accessToken); // kept: the tenant sees the reason, reconnecting replaces it
  const schedule = await system.deps.temporal.schedule.getHandle(refreshScheduleId(account.id)).describe();
  expect(schedule.state.paused).toBe(true);
  expect(schedule.state.note).toMatch(/^Needs reauth: WhatsApp account \+1 555-040-\d{4} must be reconnected.*190\/458/);
  expect(schedule.state.note).not.toContain(account.token);

  // The tenant sees it.
  const listed = await system.request('GET', '/api/v1/whatsapp/accounts', { token: tenantToken });
  expect(listed.body.accounts.find((view: { id: string }) => view.id === account.id)).toMatchObject({
    status: 'NEEDS_REAUTH',
    statusReason: row.statusReason,
  });
});

test('the exchange itself refused with 190 (expired between check and exchange): NEEDS_REAUTH, schedule paused', async () => {
  const account = await connectAccount({ expiresAt: fake.clock.now() + DAY_MS });
  const undo = fake.override(
    'GET',
    /^\/oauth\/access_token$/,
    (context) =>
      context.params.fb_exchange_token === account.token
        ? metaErrorReply({ message: 'Error validating access token: Session has expired.', code: 190, error_subcode: 463 })
        : undefined,
    { auth: 'none' },
  );
  try {
    const summary = await refresh(account.id);
    expect(summary.result).toBe('needs_reauth');
  } finally {
    undo();
  }
  const row = await loadAccount(account.id);
  expect(row.status).toBe('NEEDS_REAUTH');
  expect(row.statusReason).toMatch(/Meta refused to refresh the token.*190\/463/);
  expect((await system.deps.temporal.schedule.getHandle(refreshScheduleId(account.id)).describe()).state.paused).toBe(true);
});

test('an account a send already marked NEEDS_REAUTH: no Meta call, schedule paused', async () => {
  const account = await connectAccount({ expiresAt: 0 });
  await system.deps.db.whatsappAccount.update({
    where: { id: account.id },
    data: { status: 'NEEDS_REAUTH', statusReason: 'token rejected while sending' },
  });
  const debugsBefore = debugsOf(account.token).length;
  const summary = await refresh(account.id);
  expect(summary).toMatchObject({ result: 'skipped', reason: 'token rejected while sending', schedulePaused: true });
  expect(debugsOf(account.token)).toHaveLength(debugsBefore);
  expect((await system.deps.temporal.schedule.getHandle(refreshScheduleId(account.id)).describe()).state.note).toMatch(
    /token rejected while sending/,
  );
});

test("Meta's rate limit: the activity retries after Meta's own delay (nextRetryDelay) and then succeeds", async () => {
  const account = await connectAccount({ expiresAt: 0 });
  const fault = fake.failNext({
    method: 'GET',
    path: '/debug_token',
    error: { message: '(#80008) There have been too many calls to this WhatsApp Business account.', code: 80008 },
    headers: { 'retry-after': '1' },
  });
  const workflowId = `${refreshScheduleId(account.id)}-ratelimited-${randomUUID()}`;
  const summary: RefreshWhatsappTokenSummary = await system.deps.temporal.workflow.execute('refreshWhatsappToken', {
    workflowId,
    taskQueue: system.config.temporal.taskQueue,
    args: [{ accountId: account.id }],
  });
  expect(fault.hits).toBe(1);
  expect(summary.result).toBe('unchanged');
  const history = await system.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events?.filter((event) => event.activityTaskStartedEventAttributes) ?? [];
  expect(started.at(-1)?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  expect((await loadAccount(account.id)).lastRefreshError).toBeNull(); // cleared by the successful attempt
});

test('two refreshes of one account at once: one exchanges, the other waits for it and finds the token fresh', async () => {
  const account = await connectAccount({ expiresAt: fake.clock.now() + DAY_MS });
  // Slow the exchange down so both runs are in flight together.
  const slow = fake.failNext({ method: 'GET', path: '/oauth/access_token', delayMs: 1_000 });
  const results = await Promise.all([refresh(account.id), refresh(account.id)]);
  expect(slow.hits).toBe(1);
  expect(results.map((result) => result.result).sort()).toEqual(['refreshed', 'unchanged']);
  expect(exchangesOf(account.token)).toHaveLength(1);
  const row = await loadAccount(account.id);
  const stored = system.deps.secrets.open(row.accessToken as string);
  expect(fake.state.tokens.get(stored)?.expiresAt).toBeGreaterThan(fake.clock.now() + 59 * DAY_MS);
});

test('a disconnected or missing account: skipped, no Meta call', async () => {
  const account = await connectAccount({ expiresAt: fake.clock.now() + DAY_MS });
  expect((await system.request('DELETE', `/api/v1/whatsapp/accounts/${account.id}`, { token: tenantToken })).status).toBe(200);
  const requestsBefore = fake.requests.length;
  expect(await refresh(account.id)).toMatchObject({ result: 'skipped', reason: 'account is DISCONNECTED' });
  expect(await refresh(randomUUID())).toMatchObject({ result: 'skipped', reason: 'account not found' });
  expect(fake.requests).toHaveLength(requestsBefore);
});
