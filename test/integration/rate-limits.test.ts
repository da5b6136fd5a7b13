// Request budgets through the HTTP API: claim starts per end user (per minute) and per tenant (per
// second), timeline reads per caller (per minute). Beyond a budget: 429 RATE_LIMITED with
// Retry-After and nothing written; the budgets are rows in PostgreSQL, so a second API process (its
// own app and database client) shares them; the tenant admin sees what was refused.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDatabase, type Database } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { eventually } from '../support/eventually.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { createTwoTenants, endUserSeeder, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let admin: string;
let campaignId: string;
let secondApi: { url: string; server: Server; db: Database };

const PER_USER = 3;
// Above what the per-user test claims in one second (PER_USER + 2), so only the per-tenant test meets it.
const PER_TENANT = 5;
const TIMELINE_READS = 2;

beforeAll(async () => {
  system = await startTestSystem({
    worker: false,
    env: { CLAIM_RATE_PER_USER: String(PER_USER), CLAIM_RATE_PER_TENANT: String(PER_TENANT), TIMELINE_READ_RATE_PER_CALLER: String(TIMELINE_READS) },
  });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'rate-a', 'rate-b'));
  campaignId = (await seedCampaign(system.deps.db, tenantId)).id;
  // A second API process: its own app and its own connection pool on the same database.
  const db = createDatabase(system.database.url, { maxConnections: 2 });
  const server: Server = await new Promise((resolve) => {
    const listening = createApp({ ...system.deps, db }).listen(0, '127.0.0.1', () => resolve(listening));
  });
  secondApi = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, db };
});

afterAll(async () => {
  await new Promise<void>((resolve) => secondApi?.server.close(() => resolve()));
  await secondApi?.db.$disconnect();
  await system?.stop();
});

const seedEndUser = endUserSeeder(() => system.deps.db, '+5170000');
const newTask = () => seedTask(system.deps.db, tenantId, campaignId, { spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' });

/** Claims through the first or the second API process. */
async function claim(api: 'first' | 'second', taskId: string, endUserId: string, ownerTenantId = tenantId) {
  const base = api === 'first' ? system.url : secondApi.url;
  const response = await fetch(`${base}/api/v1/tasks/${taskId}/claims`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.endUser(ownerTenantId, endUserId)}`, 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

/**
 * Budgets are fixed windows of the database's clock: a test that needs N requests inside one minute
 * window waits (bounded) until the current minute has at least 20 seconds left.
 */
async function awaitRoomInThisMinute(): Promise<void> {
  await eventually(
    async () => {
      const [row] = await system.database.query<{ second: number }>('SELECT extract(second FROM clock_timestamp())::float AS second');
      return row!.second < 40;
    },
    'a minute window with 20 s left',
    30_000,
    250,
  );
}

const rejected = async () => (await system.request('GET', '/api/v1/tenant/rate-limits', { token: admin })).body;

describe('claims per end user', () => {
  test('the budget is shared by two API processes; beyond it 429 with Retry-After, no row, other users unaffected', async () => {
    const user = await seedEndUser(tenantId);
    const tasks = await Promise.all(Array.from({ length: PER_USER + 1 }, () => newTask()));
    await awaitRoomInThisMinute();
    const before = (await rejected()).rejected.claims_per_user.total;

    // Alternating between the two processes: each sees the other's claims in the budget.
    const answers = [];
    for (const [index, task] of tasks.entries()) answers.push(await claim(index % 2 === 0 ? 'first' : 'second', task.id, user.id));
    expect(answers.slice(0, PER_USER).map((answer) => answer.status)).toEqual(Array(PER_USER).fill(202));
    const refused = answers[PER_USER]!;
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(refused.body.error.details).toMatchObject({ limit: 'claims_per_user' });
    const retryAfter = Number(refused.retryAfter);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(await system.deps.db.claim.count({ where: { taskId: tasks[PER_USER]!.id } })).toBe(0);

    // Another end user of the same tenant has a budget of their own.
    const other = await seedEndUser(tenantId);
    expect((await claim('second', tasks[PER_USER]!.id, other.id)).status).toBe(202);

    // The tenant admin sees the refusal; the other tenant's admin does not.
    const view = await rejected();
    expect(view.limits).toEqual({
      claimsPerUserPerMinute: PER_USER,
      claimsPerTenantPerSecond: PER_TENANT,
      timelineReadsPerCallerPerMinute: TIMELINE_READS,
    });
    expect(view.rejected.claims_per_user).toEqual({ last24h: before + 1, total: before + 1 });
    const otherView = await system.request('GET', '/api/v1/tenant/rate-limits', { token: tokens.tenantAdmin(otherTenantId) });
    expect(otherView.body.rejected.claims_per_user).toEqual({ last24h: 0, total: 0 });
  });
});

describe('claims per tenant', () => {
  test('more concurrent claims than the per-second budget: the surplus is 429 with Retry-After 1, and only accepted claims are rows', async () => {
    const task = await newTask();
    const users = await Promise.all(Array.from({ length: 4 * PER_TENANT }, () => seedEndUser(tenantId)));
    const before = (await rejected()).rejected.claims_per_tenant.total;
    // Four budgets' worth of claims at once, half through each process: they span a few one-second windows at most,
    // each window accepting PER_TENANT, so some are refused.
    const answers = await Promise.all(users.map((user, index) => claim(index % 2 === 0 ? 'first' : 'second', task.id, user.id)));
    const accepted = answers.filter((answer) => answer.status === 202);
    const refusals = answers.filter((answer) => answer.status === 429);
    expect(accepted.length + refusals.length).toBe(users.length);
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal.body.error.details).toMatchObject({ limit: 'claims_per_tenant' });
      expect(refusal.retryAfter).toBe('1');
    }
    expect(await system.deps.db.claim.count({ where: { taskId: task.id } })).toBe(accepted.length);
    expect((await rejected()).rejected.claims_per_tenant.total).toBe(before + refusals.length);
    // Another tenant's budget is its own.
    const otherCampaign = await seedCampaign(system.deps.db, otherTenantId);
    const otherTask = await seedTask(system.deps.db, otherTenantId, otherCampaign.id, { spinsReward: 1, verificationStrategy: 'HONOR_SYSTEM' });
    const otherUser = await seedEndUser(otherTenantId);
    expect((await claim('first', otherTask.id, otherUser.id, otherTenantId)).status).toBe(202);
  });
});

describe('timeline reads per caller', () => {
  test('an admin and an end user each have a budget of timeline reads; beyond it 429 with Retry-After', async () => {
    const user = await seedEndUser(tenantId);
    const task = await newTask();
    const id = randomUUID();
    // A claim row with no workflow behind it: its timeline is read from the row alone.
    await system.deps.db.claim.create({
      data: { id, tenantId, campaignId, taskId: task.id, userId: user.id, workflowId: `claim-${id}`, workflowStartedAt: null },
    });
    await awaitRoomInThisMinute();
    const adminPath = `/api/v1/completions/${id}/timeline`;
    const readerAdmin = tokens.tenantAdmin(tenantId, undefined, `timeline-reader-${randomUUID()}`);
    for (let read = 0; read < TIMELINE_READS; read++) expect((await system.request('GET', adminPath, { token: readerAdmin })).status).toBe(200);
    const refused = await system.request('GET', adminPath, { token: readerAdmin });
    expect(refused.status).toBe(429);
    expect(refused.body.error.details).toMatchObject({ limit: 'timeline_reads' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Another admin of the tenant, and the end user on their own form, are other callers.
    expect((await system.request('GET', adminPath, { token: admin })).status).toBe(200);
    const endUserToken = tokens.endUser(tenantId, user.id);
    for (let read = 0; read < TIMELINE_READS; read++) {
      expect((await system.request('GET', `/api/v1/claims/${id}/timeline`, { token: endUserToken })).status).toBe(200);
    }
    expect((await system.request('GET', `/api/v1/claims/${id}/timeline`, { token: endUserToken })).status).toBe(429);
    expect((await rejected()).rejected.timeline_reads.total).toBeGreaterThanOrEqual(2);
  });
});
