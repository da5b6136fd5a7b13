// The end-user claim API: the row is written before the workflow is started, a claim is recorded
// once per (task, user) however often and however concurrently it is sent, and no claim is lost
// when Temporal is unreachable or the API dies between the write and the start. No worker runs.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startUnstartedClaims } from '../../src/temporal/claim-starter.js';
import { CAMPAIGN_ID, CLAIM_STATUS, TENANT_ID } from '../../src/temporal/search-attributes.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { endUserSeeder, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let campaignId: string;
let taskId: string;
let foreignTaskId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  const db = system.deps.db;
  tenantId = (await db.tenant.create({ data: { name: 'A', slug: 'claims-a' } })).id;
  otherTenantId = (await db.tenant.create({ data: { name: 'B', slug: 'claims-b' } })).id;
  campaignId = (await seedCampaign(db, tenantId)).id;
  taskId = (await createTask(tenantId, campaignId)).id;
  const foreignCampaign = await seedCampaign(db, otherTenantId, { name: 'Foreign' });
  foreignTaskId = (await createTask(otherTenantId, foreignCampaign.id)).id;
});

afterAll(async () => {
  await system?.stop();
});

const createTask = (ownerTenantId: string, ownerCampaignId: string) => seedTask(system.deps.db, ownerTenantId, ownerCampaignId, { spinsReward: 2 });

const seedEndUser = endUserSeeder(() => system.deps.db, '+5191000');
async function newEndUser(ownerTenantId = tenantId) {
  const user = await seedEndUser(ownerTenantId);
  return { ...user, token: tokens.endUser(ownerTenantId, user.id) };
}

const claim = (token: string, body: unknown = {}, onTask = taskId) => system.request('POST', `/api/v1/tasks/${onTask}/claims`, { token, body });

const describeWorkflow = (workflowId: string) => system.deps.temporal.workflow.getHandle(workflowId).describe();

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await describeWorkflow(workflowId);
    return true;
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError') return false;
    throw error;
  }
}

describe('POST /api/v1/tasks/:taskId/claims', () => {
  test('the first claim: 202, one row, one workflow claim-{id} with the contract’s search attributes', async () => {
    const user = await newEndUser();
    const response = await claim(user.token, { handle: '  @ana.ig  ' });
    expect(response.status).toBe(202);
    const { completionId: claimId } = response.body;
    expect(response.body).toEqual({ completionId: expect.any(String), status: 'PENDING', workflowId: `claim-${claimId}` });

    const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimId } });
    expect(row).toMatchObject({
      tenantId,
      campaignId,
      taskId,
      userId: user.id,
      status: 'PENDING',
      // The bound handle, normalised: verification looks for exactly the handle the user holds.
      handle: 'ana.ig',
      workflowId: `claim-${claimId}`,
    });
    expect(row.workflowStartedAt).not.toBeNull();

    const description = await describeWorkflow(`claim-${claimId}`);
    expect(description.type).toBe('verifySocialTaskClaim');
    expect(description.status.name).toBe('RUNNING');
    expect(description.taskQueue).toBe(system.config.temporal.taskQueue);
    expect(description.typedSearchAttributes.get(TENANT_ID)).toBe(tenantId);
    expect(description.typedSearchAttributes.get(CAMPAIGN_ID)).toBe(campaignId);
    expect(description.typedSearchAttributes.get(CLAIM_STATUS)).toBe('PENDING');
  });

  test('claiming again: 200 with the same completion and workflow, and no second run', async () => {
    const user = await newEndUser();
    const first = await claim(user.token);
    expect(first.status).toBe(202);
    const run = (await describeWorkflow(first.body.workflowId)).runId;

    const again = await claim(user.token, { handle: 'another-handle' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await system.deps.db.claim.count({ where: { taskId, userId: user.id } })).toBe(1);
    expect((await describeWorkflow(first.body.workflowId)).runId).toBe(run);
    // The first claim's handle is kept.
    const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id: first.body.completionId } });
    expect(row.handle).toBeNull();
  });

  test('5 concurrent claims of the same task by the same user: one row, one workflow, one 202', async () => {
    const user = await newEndUser();
    const responses = await Promise.all(Array.from({ length: 5 }, () => claim(user.token)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 202]);
    const ids = new Set(responses.map((r) => r.body.completionId));
    expect(ids.size).toBe(1);
    expect(new Set(responses.map((r) => r.body.workflowId))).toEqual(new Set([`claim-${[...ids][0]}`]));

    const rows = await system.deps.db.claim.findMany({ where: { taskId, userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.workflowStartedAt).not.toBeNull();
    // One execution ever had this id: its history is a single run that started once.
    const history = await system.deps.temporal.workflow.getHandle(rows[0]!.workflowId).fetchHistory();
    const starts = (history.events ?? []).filter((event) => event.workflowExecutionStartedEventAttributes);
    expect(starts).toHaveLength(1);
    expect((await describeWorkflow(rows[0]!.workflowId)).status.name).toBe('RUNNING');
  });

  test('handles are trimmed, blank means none, longer than 100 characters is 422 with nothing written', async () => {
    const blank = await newEndUser();
    const response = await claim(blank.token, { handle: '   ' });
    expect(response.status).toBe(202);
    expect((await system.deps.db.claim.findUniqueOrThrow({ where: { id: response.body.completionId } })).handle).toBeNull();

    const noBody = await newEndUser();
    const withoutBody = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: noBody.token });
    expect(withoutBody.status).toBe(202);

    const tooLong = await newEndUser();
    for (const body of [{ handle: 'x'.repeat(101) }, { handle: 7 }, { handle: 'ok', taskId: foreignTaskId }]) {
      const rejected = await claim(tooLong.token, body);
      expect(rejected.status).toBe(422);
      expect(rejected.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await system.deps.db.claim.count({ where: { userId: tooLong.id } })).toBe(0);
  });

  test('an unknown task, another tenant’s task, or an end user that no longer exists → 404, nothing written', async () => {
    const user = await newEndUser();
    expect((await claim(user.token, {}, randomUUID())).status).toBe(404);
    const foreign = await claim(user.token, {}, foreignTaskId);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    const ghost = await claim(tokens.endUser(tenantId, randomUUID()));
    expect(ghost.status).toBe(404);
    expect(await system.deps.db.claim.count({ where: { OR: [{ userId: user.id }, { taskId: foreignTaskId }] } })).toBe(0);
  });

  test('only end users claim (403 for admins)', async () => {
    const response = await claim(tokens.tenantAdmin(tenantId));
    expect(response.status).toBe(403);
  });
});

describe('no claim is lost', () => {
  test('Temporal unreachable at claim time: still 202 with a durable row; the repeat starts the workflow', async () => {
    const user = await newEndUser();
    const workflows = system.deps.temporal.workflow as Client['workflow'] & { start: unknown };
    const realStart = workflows.start;
    workflows.start = async () => {
      throw new Error('14 UNAVAILABLE: connection refused (simulated outage)');
    };
    let response;
    try {
      response = await claim(user.token);
    } finally {
      workflows.start = realStart;
    }
    expect(response.status).toBe(202);
    const { completionId: claimId, workflowId } = response.body;
    const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimId } });
    expect(row.workflowStartedAt).toBeNull();
    expect(await workflowExists(workflowId)).toBe(false);

    const again = await claim(user.token);
    expect(again.status).toBe(200);
    expect(again.body.completionId).toBe(claimId);
    expect(await workflowExists(workflowId)).toBe(true);
    expect((await system.deps.db.claim.findUniqueOrThrow({ where: { id: claimId } })).workflowStartedAt).not.toBeNull();
  });

  test('the API died after the write: the sweeper starts the workflow and stamps workflowStartedAt', async () => {
    const user = await newEndUser();
    const id = randomUUID();
    await system.deps.db.claim.create({
      data: {
        id,
        tenantId,
        campaignId,
        taskId,
        userId: user.id,
        workflowId: `claim-${id}`,
        workflowStartedAt: null,
        claimedAt: new Date(Date.now() - 120_000),
      },
    });
    expect(await workflowExists(`claim-${id}`)).toBe(false);

    const started = await startUnstartedClaims(system.deps, { graceMs: 0 });
    expect(started).toBeGreaterThanOrEqual(1);

    const description = await describeWorkflow(`claim-${id}`);
    expect(description.type).toBe('verifySocialTaskClaim');
    expect(description.typedSearchAttributes.get(TENANT_ID)).toBe(tenantId);
    const row = await system.deps.db.claim.findUniqueOrThrow({ where: { id } });
    expect(row.workflowStartedAt).not.toBeNull();
    expect(await system.deps.db.claim.count({ where: { workflowStartedAt: null } })).toBe(0);
  });
});

describe('GET /api/v1/claims/:completionId', () => {
  test('the owner sees the completion view; another user of the same tenant gets 404', async () => {
    const owner = await newEndUser();
    const created = await claim(owner.token, { handle: 'owner' });
    const own = await system.request('GET', `/api/v1/claims/${created.body.completionId}`, { token: owner.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: created.body.completionId,
      taskId,
      campaignId,
      userId: owner.id,
      status: 'PENDING',
      handle: 'owner',
      workflowId: created.body.workflowId,
      spinsAwarded: 0,
      notification: { status: 'PENDING' },
    });
    // The same claim as the tenant sees it, except the end user's reason code and our sentence
    // in place of the tenant's detail.
    const admin = await system.request('GET', `/api/v1/completions/${created.body.completionId}`, { token: tokens.tenantAdmin(tenantId) });
    expect(own.body).toEqual({ ...admin.body, reason: 'CHECKING', detail: expect.stringMatching(/checking your task/) });

    const neighbour = await newEndUser();
    const other = await system.request('GET', `/api/v1/claims/${created.body.completionId}`, { token: neighbour.token });
    expect(other.status).toBe(404);
    const missing = await system.request('GET', `/api/v1/claims/${randomUUID()}`, { token: owner.token });
    expect(missing.status).toBe(404);
  });
});

describe('what a campaign site shows an end user', () => {
  test("GET /api/v1/claims lists only the caller's own claims, whatever userId the query names", async () => {
    const ana = await newEndUser();
    const ben = await newEndUser();
    const secondTask = (await createTask(tenantId, campaignId)).id;
    const anaFirst = (await claim(ana.token)).body.completionId;
    const anaSecond = (await claim(ana.token, {}, secondTask)).body.completionId;
    const benClaim = (await claim(ben.token)).body.completionId;

    const own = await system.request('GET', `/api/v1/claims?userId=${ben.id}`, { token: ana.token });
    expect(own.status).toBe(200);
    expect(own.body.items.map((item: { id: string }) => item.id).sort()).toEqual([anaFirst, anaSecond].sort());
    expect(own.body.items.map((item: { id: string }) => item.id)).not.toContain(benClaim);

    const filtered = await system.request('GET', `/api/v1/claims?taskId=${secondTask}`, { token: ana.token });
    expect(filtered.body.items.map((item: { id: string }) => item.id)).toEqual([anaSecond]);

    const asAdmin = await system.request('GET', '/api/v1/claims', { token: tokens.tenantAdmin(tenantId) });
    expect(asAdmin.status).toBe(403);
  });

  test("an end user lists its tenant's campaign tasks, and another tenant's campaign is 404", async () => {
    const user = await newEndUser();
    const tasks = await system.request('GET', `/api/v1/campaigns/${campaignId}/tasks`, { token: user.token });
    expect(tasks.status).toBe(200);
    expect(tasks.body.items.map((task: { id: string }) => task.id)).toContain(taskId);

    const foreignCampaignId = (await system.deps.db.socialMediaTask.findUniqueOrThrow({ where: { id: foreignTaskId } })).campaignId;
    const foreign = await system.request('GET', `/api/v1/campaigns/${foreignCampaignId}/tasks`, { token: user.token });
    expect(foreign.status).toBe(404);
  });
});
