// Claims (tenant_admin): the list and its filters, the claim view, and the admin actions
// (approve, reject, notify-now) that reach the claim's workflow as signals. No worker runs: the
// workflows exist but do not progress, so every assertion is on rows, responses and workflow history.
import { defaultPayloadConverter } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { Claim } from '../../src/generated/prisma/client.js';
import { CAMPAIGN_ID, CLAIM_STATUS, TENANT_ID } from '../../src/temporal/search-attributes.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { createTwoTenants, endUserSeeder, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let admin: string;
let campaignId: string;
let otherCampaignId: string;
let taskId: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'comp-a', 'comp-b'));
  const db = system.deps.db;
  campaignId = (await seedCampaign(db, tenantId)).id;
  otherCampaignId = (await seedCampaign(db, tenantId, { name: 'Second' })).id;
  taskId = (await seedTask(db, tenantId, campaignId, { spinsReward: 5, verificationStrategy: 'MANUAL' })).id;
});

afterAll(async () => {
  await system?.stop();
});

const seedEndUser = endUserSeeder(() => system.deps.db, '+5190000');
const newEndUser = (ownerTenantId = tenantId) => seedEndUser(ownerTenantId);

/** A claim made through the API: its row and its (idle) workflow exist. */
async function claimThroughApi(): Promise<Claim> {
  const user = await newEndUser();
  const response = await system.request('POST', `/api/v1/tasks/${taskId}/claims`, { token: tokens.endUser(tenantId, user.id), body: {} });
  expect(response.status).toBe(202);
  return system.deps.db.claim.findUniqueOrThrow({ where: { id: response.body.completionId } });
}

/** A row as the workflow would have left it, with no workflow behind it unless the test starts one. */
async function insertClaim(data: Partial<Claim> = {}, task = { id: taskId, campaignId }) {
  const user = await newEndUser();
  const id = randomUUID();
  return system.deps.db.claim.create({
    data: {
      id,
      tenantId,
      campaignId: task.campaignId,
      taskId: task.id,
      userId: user.id,
      workflowId: `claim-${id}`,
      workflowStartedAt: null,
      ...(data as object),
    },
  });
}

async function signals(workflowId: string): Promise<{ name: string; args: unknown[] }[]> {
  const history = await system.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const attributes = event.workflowExecutionSignaledEventAttributes;
    if (!attributes?.signalName) return [];
    const args = (attributes.input?.payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload(payload));
    return [{ name: attributes.signalName, args }];
  });
}

const row = (id: string) => system.deps.db.claim.findUniqueOrThrow({ where: { id } });

describe('GET /api/v1/completions/:id', () => {
  test('the contract’s completion view, every optional field present (null when unknown), nothing internal', async () => {
    const verifiedAt = new Date('2030-03-01T10:00:00Z');
    const claim = await insertClaim({
      status: 'VERIFIED',
      detail: 'comment found',
      handle: 'ana.ig',
      verifiedAt,
      verificationMethod: 'TENANT_META_API',
      evidence: { commentId: 'c-1' },
      spinsAwarded: 5,
      workflowStartedAt: new Date(),
      notificationStatus: 'SENT',
      notificationNotBefore: verifiedAt,
      notificationSentAt: new Date('2030-03-01T10:00:05Z'),
      notificationChannel: 'WHATSAPP_CLOUD',
      notificationProviderMessageId: 'wamid.1',
      notificationAttemptedAt: verifiedAt,
    });
    const response = await system.request('GET', `/api/v1/completions/${claim.id}`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: claim.id,
      taskId,
      campaignId,
      userId: claim.userId,
      status: 'VERIFIED',
      detail: 'comment found',
      // The reason code, and the proof code of tasks that require one
      reason: null,
      proofCode: null,
      handle: 'ana.ig',
      claimedAt: claim.claimedAt.toISOString(),
      verifiedAt: '2030-03-01T10:00:00.000Z',
      verificationMethod: 'TENANT_META_API',
      spinsAwarded: 5,
      workflowId: `claim-${claim.id}`,
      notification: {
        status: 'SENT',
        notBefore: '2030-03-01T10:00:00.000Z',
        sentAt: '2030-03-01T10:00:05.000Z',
        channel: 'WHATSAPP_CLOUD',
        providerMessageId: 'wamid.1',
        error: null,
        coalescedInto: null,
        reason: null,
        pricingCategory: null,
        billable: null,
      },
    });

    const pending = await insertClaim();
    const pendingView = await system.request('GET', `/api/v1/completions/${pending.id}`, { token: admin });
    expect(pendingView.body).toMatchObject({
      status: 'PENDING',
      detail: null,
      handle: null,
      verifiedAt: null,
      verificationMethod: null,
      spinsAwarded: 0,
      notification: {
        status: 'PENDING',
        notBefore: null,
        sentAt: null,
        channel: null,
        providerMessageId: null,
        error: null,
        coalescedInto: null,
        reason: null,
        pricingCategory: null,
        billable: null,
      },
    });
  });

  test('an unknown id is 404', async () => {
    const response = await system.request('GET', `/api/v1/completions/${randomUUID()}`, { token: admin });
    expect(response.status).toBe(404);
  });
});

describe('GET /api/v1/completions', () => {
  test('filters by campaign and status, newest first, paginated; other tenants never show', async () => {
    const secondTask = await system.deps.db.socialMediaTask.create({
      data: { tenantId, campaignId: otherCampaignId, title: 'Like', platform: 'FACEBOOK', actionType: 'LIKE', spinsReward: 1 },
    });
    const inSecond = [
      await insertClaim({ claimedAt: new Date('2030-01-01T00:00:00Z') }, { id: secondTask.id, campaignId: otherCampaignId }),
      await insertClaim({ status: 'FAILED' }, { id: secondTask.id, campaignId: otherCampaignId }),
      await insertClaim({ status: 'VERIFIED' }, { id: secondTask.id, campaignId: otherCampaignId }),
    ];
    const foreignCampaign = await system.deps.db.campaign.create({ data: { tenantId: otherTenantId, name: 'Foreign' } });
    const foreignTask = await system.deps.db.socialMediaTask.create({
      data: { tenantId: otherTenantId, campaignId: foreignCampaign.id, title: 'x', platform: 'TIKTOK', actionType: 'SHARE', spinsReward: 1 },
    });
    const foreignUser = await newEndUser(otherTenantId);
    const foreign = await system.deps.db.claim.create({
      data: {
        id: randomUUID(),
        tenantId: otherTenantId,
        campaignId: foreignCampaign.id,
        taskId: foreignTask.id,
        userId: foreignUser.id,
        workflowId: `claim-foreign-${randomUUID()}`,
      },
    });

    const byCampaign = await system.request('GET', `/api/v1/completions?campaignId=${otherCampaignId}`, { token: admin });
    expect(byCampaign.status).toBe(200);
    const expectedOrder = await system.deps.db.claim.findMany({
      where: { campaignId: otherCampaignId },
      orderBy: [{ claimedAt: 'desc' }, { id: 'desc' }],
    });
    expect(expectedOrder).toHaveLength(3);
    // The one claimed "in 2030" comes first, whatever the insertion order.
    expect(expectedOrder[0]!.id).toBe(inSecond[0]!.id);
    expect(byCampaign.body.items.map((item: { id: string }) => item.id)).toEqual(expectedOrder.map((c) => c.id));

    const failed = await system.request('GET', `/api/v1/completions?campaignId=${otherCampaignId}&status=FAILED`, { token: admin });
    expect(failed.body.items.map((item: { id: string }) => item.id)).toEqual([inSecond[1]!.id]);

    const foreignFilter = await system.request('GET', `/api/v1/completions?campaignId=${foreignCampaign.id}`, { token: admin });
    expect(foreignFilter.body).toEqual({ items: [], nextCursor: null });

    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2&tenantId=${otherTenantId}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await system.request('GET', `/api/v1/completions${query}`, { token: admin });
      expect(page.status).toBe(200);
      all.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const rows = await system.deps.db.claim.findMany({ where: { tenantId }, orderBy: [{ claimedAt: 'desc' }, { id: 'desc' }] });
    expect(all).toEqual(rows.map((r) => r.id));
    expect(all).not.toContain(foreign.id);
  });

  test.each([['status=DONE'], ['status=pending'], ['limit=-1'], ['cursor=%%%'], ['campaignId=']])('?%s → 422', async (query) => {
    const response = await system.request('GET', `/api/v1/completions?${query}`, { token: admin });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /api/v1/completions/:id/approve|reject', () => {
  test('approve signals the running workflow with the decision and the admin; 202 with the view', async () => {
    const claim = await claimThroughApi();
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/approve`, { token: admin });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ id: claim.id, status: 'PENDING', workflowId: claim.workflowId });
    expect(await signals(claim.workflowId)).toEqual([{ name: 'manualDecision', args: [{ approved: true, decidedBy: `admin-of-${tenantId}` }] }]);
  });

  test('reject carries the trimmed reason', async () => {
    const claim = await claimThroughApi();
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/reject`, {
      token: admin,
      body: { reason: '  no comment found on the post  ' },
    });
    expect(response.status).toBe(202);
    expect(await signals(claim.workflowId)).toEqual([
      { name: 'manualDecision', args: [{ approved: false, reason: 'no comment found on the post', decidedBy: `admin-of-${tenantId}` }] },
    ]);
  });

  test('bad input is 422 and sends nothing', async () => {
    const claim = await claimThroughApi();
    for (const body of [{ reason: 'x'.repeat(501) }, { reason: 42 }, { approved: false }]) {
      const response = await system.request('POST', `/api/v1/completions/${claim.id}/reject`, { token: admin, body });
      expect(response.status).toBe(422);
    }
    expect(await signals(claim.workflowId)).toEqual([]);
  });

  test('a claim that is no longer PENDING is 409 INVALID_STATE and nothing is sent', async () => {
    const claim = await claimThroughApi();
    await system.deps.db.claim.update({ where: { id: claim.id }, data: { status: 'VERIFIED' } });
    for (const action of ['approve', 'reject']) {
      const response = await system.request('POST', `/api/v1/completions/${claim.id}/${action}`, { token: admin });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('INVALID_STATE');
    }
    expect(await signals(claim.workflowId)).toEqual([]);
  });

  test('a claim whose workflow was never started: the workflow is started, then signalled', async () => {
    const claim = await insertClaim({ claimedAt: new Date(Date.now() - 60_000) });
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/approve`, { token: admin });
    expect(response.status).toBe(202);
    const description = await system.deps.temporal.workflow.getHandle(claim.workflowId).describe();
    expect(description.type).toBe('verifySocialTaskClaim');
    expect(description.typedSearchAttributes.get(TENANT_ID)).toBe(tenantId);
    expect(description.typedSearchAttributes.get(CAMPAIGN_ID)).toBe(campaignId);
    expect(description.typedSearchAttributes.get(CLAIM_STATUS)).toBe('PENDING');
    expect((await row(claim.id)).workflowStartedAt).not.toBeNull();
    expect(await signals(claim.workflowId)).toEqual([{ name: 'manualDecision', args: [{ approved: true, decidedBy: `admin-of-${tenantId}` }] }]);
  });

  test('a claim whose workflow has already closed is 409 (nothing can act on the decision)', async () => {
    const claim = await claimThroughApi();
    await system.deps.temporal.workflow.getHandle(claim.workflowId).terminate('test: closed run');
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/approve`, { token: admin });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('INVALID_STATE');
  });

  test('an unknown completion is 404', async () => {
    for (const action of ['approve', 'reject', 'notify-now']) {
      const response = await system.request('POST', `/api/v1/completions/${randomUUID()}/${action}`, { token: admin });
      expect(response.status).toBe(404);
    }
  });
});

describe('POST /api/v1/completions/:id/notify-now', () => {
  test('a verified claim waiting for the window: notifyNow is signalled; 202 with the view', async () => {
    const claim = await claimThroughApi();
    await system.deps.db.claim.update({
      where: { id: claim.id },
      data: { status: 'VERIFIED', notificationStatus: 'WAITING_FOR_WINDOW', notificationNotBefore: new Date('2030-01-01T09:00:00Z') },
    });
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/notify-now`, { token: admin });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ id: claim.id, status: 'VERIFIED', notification: { status: 'WAITING_FOR_WINDOW' } });
    expect(await signals(claim.workflowId)).toEqual([{ name: 'notifyNow', args: [] }]);
  });

  test('a verified claim whose workflow was never started is started, then signalled', async () => {
    const claim = await insertClaim({ status: 'VERIFIED', notificationStatus: 'PENDING' });
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/notify-now`, { token: admin });
    expect(response.status).toBe(202);
    expect(await signals(claim.workflowId)).toEqual([{ name: 'notifyNow', args: [] }]);
    expect((await row(claim.id)).workflowStartedAt).not.toBeNull();
  });

  test.each([
    ['still PENDING', { status: 'PENDING', notificationStatus: 'PENDING' }],
    ['FAILED', { status: 'FAILED', notificationStatus: 'SKIPPED' }],
    ['already SENT', { status: 'VERIFIED', notificationStatus: 'SENT' }],
    ['being sent', { status: 'VERIFIED', notificationStatus: 'SENDING' }],
    ['failed to send', { status: 'VERIFIED', notificationStatus: 'FAILED' }],
  ] as const)('a claim %s is 409 and nothing is sent', async (_name, state) => {
    const claim = await claimThroughApi();
    await system.deps.db.claim.update({ where: { id: claim.id }, data: state });
    const response = await system.request('POST', `/api/v1/completions/${claim.id}/notify-now`, { token: admin });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('INVALID_STATE');
    expect(await signals(claim.workflowId)).toEqual([]);
  });
});
