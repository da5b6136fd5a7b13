// On the cluster topology (the real Temporal server on PostgreSQL, `npm run test:cluster`): the
// token-refresh Schedules and the retention Schedule survive a server crash. This file runs its own
// server (its own databases in the test PostgreSQL) so that it can SIGKILL and restart it. After the
// restart the schedules are still listed and described by the real `temporal` CLI as they were
// created, they keep firing on their own, and `temporal schedule trigger` starts runs that complete.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareClusterTemporal } from '../../src/dev/cluster-temporal-server.js';
import { postgresTarget } from '../../src/dev/temporal-cluster-databases.js';
import { resolveTemporalCli } from '../../src/temporal/binaries.js';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/temporal/retention-schedule.js';
import { refreshScheduleId } from '../../src/temporal/token-refresh-schedules.js';
import { Restartable } from '../chaos/processes.js';
import { startFakeMeta, type FakeMeta } from '../fakes/fake-meta.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { fakeMetaEnv } from '../support/factories.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;

let fake: FakeMeta;
let server: Restartable;
let address: string;
let system: TestSystem;

beforeAll(async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'social-tasks-schedules-restart-'));
  chmodSync(workDir, 0o755);
  const suffix = randomBytes(4).toString('hex');
  const plan = await prepareClusterTemporal({
    dataDir: workDir,
    postgres: postgresTarget(process.env.TEST_PG_BASE_URL!),
    databases: { persistence: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` },
  });
  address = plan.address;
  server = new Restartable('temporal', plan.command, plan.args, process.env, workDir, () => plan.ready());
  await server.start();
  fake = await startFakeMeta({ appSecret: 'test-app-secret' });
  // A short refresh interval and a threshold longer than a token's life: every run refreshes, so
  // firing on its own after the restart is seen within seconds.
  system = await startTestSystem({
    temporalAddress: address,
    env: { ...fakeMetaEnv(fake), TOKEN_REFRESH_INTERVAL: '3s', TOKEN_REFRESH_THRESHOLD: '365d' },
  });
}, 240_000);

afterAll(async () => {
  await system?.stop();
  await fake?.close();
  await server?.stop('SIGTERM');
  server?.close();
});

async function temporalCli<T = unknown>(...args: string[]): Promise<T> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('the temporal CLI is not installed (npm run temporal:install)');
  const { stdout } = await run(cli, [...args, '--address', address, '--namespace', 'default', '-o', 'json'], { timeout: 30_000 });
  return (stdout.trim() ? JSON.parse(stdout) : undefined) as T;
}

async function connectAccount(tenantToken: string) {
  const waba = fake.addWaba({ name: 'Restart WABA' });
  const phone = fake.addPhoneNumber(waba.id, { displayPhoneNumber: '+1 555-040-0001' });
  const code = fake.issueCode({
    token: {
      type: 'SYSTEM_USER',
      scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
      granularScopes: [{ scope: 'whatsapp_business_management', targetIds: [waba.id] }],
      expiresAt: fake.clock.now() + 3 * DAY_MS,
    },
  });
  const response = await system.request('POST', '/api/v1/meta/embedded-signup', {
    token: tenantToken,
    body: { code, wabaId: waba.id, phoneNumberId: phone.id },
  });
  expect(response.status).toBe(201);
  return response.body.accounts[0].id as string;
}

/** What an operator sees of a schedule, minus what changes on every run. */
function stableParts(described: Record<string, any>) {
  return { spec: described.schedule?.spec, action: described.schedule?.action, policies: described.schedule?.policies, memo: described.memo };
}

test('token-refresh and retention Schedules survive a SIGKILL of the server: listed, described, firing and triggerable after it', async () => {
  const tenant = await system.deps.db.tenant.create({ data: { name: 'Restart', slug: 'restart-tenant' } });
  const accountId = await connectAccount(tokens.tenantAdmin(tenant.id));
  const refreshId = refreshScheduleId(accountId);
  expect(await ensureRetentionSchedule(system.deps.temporal, system.config)).toBe('created');

  const listedIds = async () => new Set((await temporalCli<{ scheduleId: string }[]>('schedule', 'list')).map((each) => each.scheduleId));
  await eventually(async () => {
    const ids = await listedIds();
    return ids.has(refreshId) && ids.has(RETENTION_SCHEDULE_ID);
  }, 'both schedules in `temporal schedule list`');
  const refreshBefore = await temporalCli<Record<string, any>>('schedule', 'describe', '--schedule-id', refreshId);
  const retentionBefore = await temporalCli<Record<string, any>>('schedule', 'describe', '--schedule-id', RETENTION_SCHEDULE_ID);

  await server.restart('SIGKILL', 500);

  // Listed and described exactly as before.
  await eventually(
    async () => {
      const ids = await listedIds().catch(() => new Set<string>());
      return ids.has(refreshId) && ids.has(RETENTION_SCHEDULE_ID);
    },
    'both schedules in `temporal schedule list` after the restart',
    60_000,
    500,
  );
  const refreshAfter = await temporalCli<Record<string, any>>('schedule', 'describe', '--schedule-id', refreshId);
  const retentionAfter = await temporalCli<Record<string, any>>('schedule', 'describe', '--schedule-id', RETENTION_SCHEDULE_ID);
  expect(stableParts(refreshAfter)).toEqual(stableParts(refreshBefore));
  expect(stableParts(retentionAfter)).toEqual(stableParts(retentionBefore));
  expect(refreshAfter.schedule?.state?.paused ?? false).toBe(false);

  // Firing on its own: a run the server started after the restart stores a new token.
  const restartedAt = new Date();
  const refreshed = await eventually(
    async () => {
      const row = await system.deps.db.whatsappAccount.findUniqueOrThrow({ where: { id: accountId } });
      return row.lastRefreshedAt !== null && row.lastRefreshedAt > restartedAt && row;
    },
    'a scheduled refresh after the restart',
    60_000,
    250,
  );
  expect(refreshed.lastRefreshError).toBeNull();

  // Triggered by the operator: the retention run completes.
  await temporalCli('schedule', 'trigger', '--schedule-id', RETENTION_SCHEDULE_ID);
  const runs = await eventually(
    async () => {
      const found = await temporalCli<{ execution: { workflowId: string }; status: string }[]>(
        'workflow',
        'list',
        '--query',
        `TemporalScheduledById = '${RETENTION_SCHEDULE_ID}' AND ExecutionStatus = 'Completed'`,
      );
      return (found ?? []).length > 0 && found;
    },
    'the triggered retention run to complete',
    60_000,
    500,
  );
  expect(runs[0]!.execution.workflowId.startsWith(`${RETENTION_SCHEDULE_ID}-`)).toBe(true);
});
