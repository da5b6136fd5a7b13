// Token-refresh schedules on a real Temporal dev server: reconcile repairs drift (and leaves
// correct schedules alone), `npm run schedules:reconcile` prints what it did, and the real
// `temporal` CLI shows the schedules and triggers a refresh that stores a new token.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScheduleNotFoundError } from '@temporalio/client';
import { PROJECT_ROOT, resolveTemporalCli } from '../../src/temporal/binaries.js';
import {
  REFRESH_SCHEDULE_PREFIX,
  reconcileRefreshSchedules,
  refreshInterval,
  refreshScheduleId,
} from '../../src/temporal/token-refresh-schedules.js';
import { startFakeMeta, type FakeMeta, type FakeToken } from '../fakes/fake-meta.js';
import { BASE_TEST_ENV, startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { eventually } from '../support/eventually.js';
import { fakeMetaEnv } from '../support/factories.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;

let fake: FakeMeta;
let system: TestSystem;
let tenant: { id: string; slug: string; token: string };
let counter = 0;

beforeAll(async () => {
  fake = await startFakeMeta({ appSecret: 'test-app-secret' });
  system = await startTestSystem({ env: { ...fakeMetaEnv(fake) } });
  const row = await system.deps.db.tenant.create({ data: { name: 'Ops', slug: 'ops-tenant' } });
  tenant = { ...row, token: tokens.tenantAdmin(row.id) };
});

afterAll(async () => {
  await system?.stop();
  await fake?.close();
});

async function connectAccount(init: Partial<FakeToken> = {}) {
  counter++;
  const waba = fake.addWaba({ name: `Ops WABA ${counter}` });
  const phone = fake.addPhoneNumber(waba.id, { displayPhoneNumber: `+1 555-030-${String(counter).padStart(4, '0')}` });
  const code = fake.issueCode({
    token: {
      type: 'SYSTEM_USER',
      scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
      granularScopes: [{ scope: 'whatsapp_business_management', targetIds: [waba.id] }],
      ...init,
    },
  });
  const response = await system.request('POST', '/api/v1/meta/embedded-signup', {
    token: tenant.token,
    body: { code, wabaId: waba.id, phoneNumberId: phone.id },
  });
  expect(response.status).toBe(201);
  return { id: response.body.accounts[0].id as string, waba, phone };
}

const handle = (accountId: string) => system.deps.temporal.schedule.getHandle(refreshScheduleId(accountId));

async function exists(accountId: string): Promise<boolean> {
  try {
    await handle(accountId).describe();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

async function temporalCli<T = unknown>(...args: string[]): Promise<T> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('the temporal CLI is not installed (npm run temporal:install)');
  const { stdout } = await run(cli, [...args, '--address', system.temporalEnv.address, '--namespace', 'default', '-o', 'json'], { timeout: 30_000 });
  return (stdout.trim() ? JSON.parse(stdout) : undefined) as T;
}

/** All strings and decoded byte payloads of a history, so a token inside a payload is found too. */
function everyText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(everyText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(everyText).join('\n');
  return '';
}

describe('reconcileRefreshSchedules', () => {
  test('recreates a deleted schedule, deletes orphans, repairs drift and leaves correct ones untouched', async () => {
    const deletedByHand = await connectAccount();
    const disconnectedInDb = await connectAccount();
    const correct = await connectAccount();
    const drifted = await connectAccount();
    const needsReauth = await connectAccount();
    const operatorPaused = await connectAccount();
    const db = system.deps.db;
    const client = system.deps.temporal;

    await handle(deletedByHand.id).delete();
    // DISCONNECTED without its schedule being deleted (e.g. Temporal was down during the DELETE).
    await db.whatsappAccount.update({ where: { id: disconnectedInDb.id }, data: { status: 'DISCONNECTED', accessToken: null } });
    // A schedule whose account does not exist at all.
    const ghostId = '00000000-0000-4000-8000-000000000000';
    await client.schedule.create({
      scheduleId: refreshScheduleId(ghostId),
      spec: { intervals: [{ every: '1h' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'refreshWhatsappToken',
        taskQueue: system.config.temporal.taskQueue,
        args: [{ accountId: ghostId }],
      },
    });
    await handle(drifted.id).update((previous) => ({ ...previous, spec: { intervals: [{ every: '1h' }] } }));
    await db.whatsappAccount.update({ where: { id: needsReauth.id }, data: { status: 'NEEDS_REAUTH', statusReason: 'token revoked while sending' } });
    await handle(operatorPaused.id).pause('maintenance window, OPS-42');
    const correctBefore = await handle(correct.id).describe();

    const result = await reconcileRefreshSchedules(client, db, system.config);
    expect(result.created).toContain(refreshScheduleId(deletedByHand.id));
    expect(result.deleted).toEqual(expect.arrayContaining([refreshScheduleId(disconnectedInDb.id), refreshScheduleId(ghostId)]));
    expect(result.updated).toEqual(expect.arrayContaining([refreshScheduleId(drifted.id), refreshScheduleId(needsReauth.id)]));
    expect(result.unchanged).toEqual(expect.arrayContaining([refreshScheduleId(correct.id), refreshScheduleId(operatorPaused.id)]));

    expect(await exists(deletedByHand.id)).toBe(true);
    expect(await exists(disconnectedInDb.id)).toBe(false);
    expect(await exists(ghostId)).toBe(false);
    const { everyMs, offsetMs } = refreshInterval(system.config, drifted.id);
    expect((await handle(drifted.id).describe()).spec.intervals).toEqual([{ every: everyMs, offset: offsetMs }]);
    const paused = await handle(needsReauth.id).describe();
    expect(paused.state.paused).toBe(true);
    expect(paused.state.note).toMatch(/^Needs reauth:.*token revoked while sending/);
    const stillOperatorPaused = await handle(operatorPaused.id).describe();
    expect(stillOperatorPaused.state).toMatchObject({ paused: true, note: 'maintenance window, OPS-42' });
    // Untouched: never written since it was created.
    const correctAfter = await handle(correct.id).describe();
    expect(correctAfter.info.lastUpdatedAt?.getTime()).toBe(correctBefore.info.lastUpdatedAt?.getTime());

    // Idempotent: a second pass finds nothing to do for these.
    const again = await reconcileRefreshSchedules(client, db, system.config);
    expect([...again.created, ...again.updated, ...again.deleted]).toEqual([]);
  });

  test('`npm run schedules:reconcile` (src/main/reconcile-schedules.ts) repairs and prints what it did', async () => {
    const account = await connectAccount();
    await handle(account.id).delete();
    const env = {
      ...process.env,
      ...BASE_TEST_ENV,
      META_APP_ID: fake.appId,
      META_APP_SECRET: fake.appSecret,
      DATABASE_URL: system.database.url,
      TEMPORAL_ADDRESS: system.temporalEnv.address,
      TEMPORAL_TASK_QUEUE: system.config.temporal.taskQueue,
    };
    const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, [join(PROJECT_ROOT, 'src', 'main', 'reconcile-schedules.ts')], { env, timeout: 60_000 });
    expect(stdout).toContain(`created   ${refreshScheduleId(account.id)}`);
    expect(stdout).toMatch(/token-refresh schedules: 1 created, 0 updated, 0 deleted, \d+ unchanged/);
    expect(await exists(account.id)).toBe(true);
  });
});

describe('with the real temporal CLI', () => {
  test('`temporal schedule list/describe` show the schedule; `temporal schedule trigger` runs a refresh that stores a new token', async () => {
    // A 60-day business token with 3 days left: inside TOKEN_REFRESH_THRESHOLD (10d).
    const account = await connectAccount({ expiresAt: fake.clock.now() + 3 * DAY_MS });
    const scheduleId = refreshScheduleId(account.id);
    const before = await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } });
    const oldToken = system.deps.secrets.open(before.accessToken as string);

    // list is eventually consistent: wait until the new schedule shows up.
    const listed = await eventually(async () => {
      const schedules = await temporalCli<{ scheduleId: string }[]>('schedule', 'list');
      return (schedules ?? []).find((schedule) => schedule.scheduleId === scheduleId);
    }, 'the schedule to appear in `temporal schedule list`');
    expect(listed.scheduleId.startsWith(REFRESH_SCHEDULE_PREFIX)).toBe(true);

    const described = await temporalCli<Record<string, any>>('schedule', 'describe', '--schedule-id', scheduleId);
    const text = JSON.stringify(described);
    expect(text).toContain('refreshWhatsappToken');
    expect(text).toContain(system.config.temporal.taskQueue);
    expect(text).not.toContain(oldToken);
    expect(described.schedule?.state?.paused ?? false).toBe(false);
    expect(described.schedule?.policies?.overlapPolicy).toMatch(/SKIP/);
    expect(described.schedule?.policies?.catchupWindow).toBe('3600s');
    const memo = Object.fromEntries(
      Object.entries(described.memo?.fields ?? {}).map(([key, payload]) => [
        key,
        JSON.parse(Buffer.from((payload as { data: string }).data, 'base64').toString()),
      ]),
    );
    expect(memo).toEqual({
      tenantSlug: 'ops-tenant',
      accountId: account.id,
      displayPhoneNumber: account.phone.displayPhoneNumber,
      wabaId: account.waba.id,
    });

    await temporalCli('schedule', 'trigger', '--schedule-id', scheduleId);

    const after = await eventually(async () => {
      const row = await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id: account.id } });
      return row.accessToken !== before.accessToken && row;
    }, 'the triggered refresh to store a new token');
    const newToken = system.deps.secrets.open(after.accessToken as string);
    expect(newToken).not.toBe(oldToken);
    expect(fake.state.tokens.get(newToken)).toBeDefined();
    expect(after.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(59 * DAY_MS);
    expect(after.lastRefreshedAt).not.toBeNull();
    expect(after.lastRefreshError).toBeNull();
    const exchange = fake.graphRequests({ path: '/oauth/access_token' }).find((request) => request.query.get('fb_exchange_token') === oldToken)!;
    expect(exchange.query.get('grant_type')).toBe('fb_exchange_token');
    expect(exchange.query.get('set_token_expires_in_60_days')).toBe('true');

    // The run is found the way the operator docs say, and its history holds no token.
    const runs = await eventually(async () => {
      const found = await temporalCli<{ execution: { workflowId: string } }[]>(
        'workflow',
        'list',
        '--query',
        `TemporalScheduledById = '${scheduleId}'`,
      );
      return (found ?? []).length > 0 && found;
    }, 'the run to be listed by TemporalScheduledById');
    const workflowId = runs[0]!.execution.workflowId;
    expect(workflowId.startsWith(`${scheduleId}-`)).toBe(true);
    const byPrefix = await temporalCli<{ execution: { workflowId: string } }[]>(
      'workflow',
      'list',
      '--query',
      `WorkflowType = 'refreshWhatsappToken' AND WorkflowId STARTS_WITH '${scheduleId}'`,
    );
    expect((byPrefix ?? []).map((found) => found.execution.workflowId)).toContain(workflowId);
    const result = await system.deps.temporal.workflow.getHandle(workflowId).result();
    expect(result).toMatchObject({ accountId: account.id, result: 'refreshed', tokenExpiresAt: after.tokenExpiresAt!.toISOString() });
    const history = everyText(await system.deps.temporal.workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain(account.id); // the walk does see payload contents
    expect(history).not.toContain(oldToken);
    expect(history).not.toContain(newToken);
  });
});
