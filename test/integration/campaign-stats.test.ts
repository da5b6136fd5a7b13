// GET /api/v1/campaigns/:id/stats through the HTTP API, on claim rows whose every counted field is
// known: counts by status, reason and method, spins, notifications by status and channel, delivery
// and read rates (over the Cloud API's sends), median and p95 durations (within 1%), per task too.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { tokens } from '../support/tokens.js';
import { createTwoTenants, endUserSeeder, seedCampaign, seedTask } from '../support/factories.js';

let system: TestSystem;
let tenantId: string;
let otherTenantId: string;
let admin: string;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
  ({ tenantId, otherTenantId, admin } = await createTwoTenants(system, 'stats-a', 'stats-b'));
});

afterAll(async () => {
  await system?.stop();
});

const seedEndUser = endUserSeeder(() => system.deps.db, '+5160000');
const T0 = new Date('2030-05-01T10:00:00Z').getTime();
const at = (seconds: number) => new Date(T0 + seconds * 1000);

async function claim(task: { id: string; campaignId: string; tenantId: string }, data: Partial<Prisma.ClaimUncheckedCreateInput>) {
  const user = await seedEndUser(task.tenantId);
  const id = randomUUID();
  await system.deps.db.claim.create({
    data: {
      id,
      tenantId: task.tenantId,
      campaignId: task.campaignId,
      taskId: task.id,
      userId: user.id,
      workflowId: `claim-${id}`,
      claimedAt: at(0),
      ...data,
    },
  });
}

/** A verified claim `verifySeconds` after claiming, its notice `sentSeconds` after verification (null: not sent). */
const verified = (verifySeconds: number, sentSeconds: number | null, data: Partial<Prisma.ClaimUncheckedCreateInput>) => ({
  status: 'VERIFIED' as const,
  verifiedAt: at(verifySeconds),
  notificationSentAt: sentSeconds === null ? null : at(verifySeconds + sentSeconds),
  ...data,
});

const within1Percent = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected) / expected).toBeLessThan(0.01);
};

test('counts, rates and durations of the campaign and of each task', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId);
  const taskA = await seedTask(system.deps.db, tenantId, campaign.id, { title: 'Comment', spinsReward: 5 });
  const taskB = await seedTask(system.deps.db, tenantId, campaign.id, { title: 'Like', spinsReward: 2 });
  const a = { ...taskA, campaignId: campaign.id };
  const b = { ...taskB, campaignId: campaign.id };
  const cloud = 'WHATSAPP_CLOUD' as const;
  await claim(
    a,
    verified(100, 10, {
      reason: 'VERIFIED_BY_META',
      verificationMethod: 'TENANT_META_API',
      spinsAwarded: 5,
      notificationStatus: 'READ',
      notificationChannel: cloud,
      notificationPricingCategory: 'utility',
    }),
  );
  await claim(
    a,
    verified(200, 20, {
      reason: 'APPROVED_BY_SAMPLING',
      verificationMethod: 'STATISTICAL',
      spinsAwarded: 5,
      notificationStatus: 'DELIVERED',
      notificationChannel: cloud,
    }),
  );
  await claim(
    a,
    verified(300, 30, {
      reason: 'ACCEPTED_ON_HONOR',
      verificationMethod: 'HONOR_SYSTEM',
      spinsAwarded: 5,
      notificationStatus: 'SENT',
      notificationChannel: 'TENANT_PROVIDER',
    }),
  );
  await claim(
    a,
    verified(600, null, {
      reason: 'VERIFIED_BY_META',
      verificationMethod: 'TENANT_META_API',
      spinsAwarded: 5,
      notificationStatus: 'SKIPPED',
      notificationReason: 'OPTED_OUT',
    }),
  );
  await claim(a, {
    status: 'FAILED',
    reason: 'NOT_FOUND_ON_POST',
    verificationMethod: 'TENANT_META_API',
    verifiedAt: at(50),
    notificationStatus: 'SKIPPED',
  });
  await claim(a, {});
  // Sent, then Meta reported it failed: it went out, and was not delivered.
  await claim(
    b,
    verified(400, 40, {
      reason: 'VERIFIED_BY_META',
      verificationMethod: 'PLATFORM_META_API',
      spinsAwarded: 2,
      notificationStatus: 'FAILED',
      notificationChannel: cloud,
    }),
  );
  await claim(
    b,
    verified(500, null, {
      reason: 'APPROVED_BY_REVIEW',
      verificationMethod: 'MANUAL',
      spinsAwarded: 2,
      notificationStatus: 'WAITING_FOR_WINDOW',
      notificationReason: 'MESSAGING_LIMIT',
    }),
  );

  const response = await system.request('GET', `/api/v1/campaigns/${campaign.id}/stats`, { token: admin });
  expect(response.status).toBe(200);
  const stats = response.body;
  expect(stats.campaignId).toBe(campaign.id);
  expect(stats.claims).toEqual({
    total: 8,
    byStatus: { PENDING: 1, VERIFIED: 6, FAILED: 1 },
    byReason: { VERIFIED_BY_META: 3, APPROVED_BY_SAMPLING: 1, ACCEPTED_ON_HONOR: 1, NOT_FOUND_ON_POST: 1, APPROVED_BY_REVIEW: 1 },
    byMethod: { TENANT_META_API: 3, PLATFORM_META_API: 1, HONOR_SYSTEM: 1, STATISTICAL: 1, MANUAL: 1 },
    spinsCredited: 24,
  });
  expect(stats.notifications).toEqual({
    total: 6,
    byStatus: { PENDING: 0, WAITING_FOR_WINDOW: 1, SENDING: 0, SENT: 1, DELIVERED: 1, READ: 1, FAILED: 1, SKIPPED: 1, UNKNOWN: 0, COALESCED: 0 },
    byReason: { OPTED_OUT: 1, MESSAGING_LIMIT: 1 },
    byPricingCategory: { utility: 1 },
    byChannel: { WHATSAPP_CLOUD: 3, TENANT_PROVIDER: 1 },
    wentOut: 4,
    delivery: { basis: ['WHATSAPP_CLOUD'], sent: 3, delivered: 2, read: 1, deliveryRate: 0.6667, readRate: 0.3333 },
  });
  // Claim → verified over the 6 verified claims (100…600 s); verified → sent over the 4 sent (10…40 s).
  expect(stats.timings.claimToVerified.count).toBe(6);
  within1Percent(stats.timings.claimToVerified.medianSeconds, 300);
  within1Percent(stats.timings.claimToVerified.p95Seconds, 600);
  expect(stats.timings.verifiedToSent.count).toBe(4);
  within1Percent(stats.timings.verifiedToSent.medianSeconds, 20);
  within1Percent(stats.timings.verifiedToSent.p95Seconds, 40);

  expect(stats.tasks.map((task: any) => [task.taskId, task.title, task.claims.total, task.claims.spinsCredited])).toEqual([
    [taskA.id, 'Comment', 6, 20],
    [taskB.id, 'Like', 2, 4],
  ]);
  const [statsA, statsB] = stats.tasks;
  expect(statsA.claims.byStatus).toEqual({ PENDING: 1, VERIFIED: 4, FAILED: 1 });
  expect(statsA.notifications.delivery).toMatchObject({ sent: 2, delivered: 2, read: 1, deliveryRate: 1, readRate: 0.5 });
  within1Percent(statsA.timings.claimToVerified.medianSeconds, 200);
  expect(statsB.claims.byReason).toEqual({ VERIFIED_BY_META: 1, APPROVED_BY_REVIEW: 1 });
  expect(statsB.notifications.delivery).toMatchObject({ sent: 1, delivered: 0, read: 0, deliveryRate: 0, readRate: 0 });
  expect(statsB.timings.verifiedToSent.count).toBe(1);
  within1Percent(statsB.timings.verifiedToSent.p95Seconds, 40);
});

test('a campaign without claims: zeros and no durations; its tasks listed', async () => {
  const campaign = await seedCampaign(system.deps.db, tenantId, { name: 'Empty' });
  await seedTask(system.deps.db, tenantId, campaign.id, { spinsReward: 1 });
  const response = await system.request('GET', `/api/v1/campaigns/${campaign.id}/stats`, { token: admin });
  expect(response.status).toBe(200);
  expect(response.body.claims.total).toBe(0);
  expect(response.body.notifications.delivery).toMatchObject({ sent: 0, deliveryRate: null, readRate: null });
  expect(response.body.timings.claimToVerified).toEqual({ count: 0, medianSeconds: null, p95Seconds: null });
  expect(response.body.tasks).toHaveLength(1);
});

test('another tenant’s campaign is 404, and an end user may not read statistics', async () => {
  const theirs = await seedCampaign(system.deps.db, otherTenantId);
  const theirTask = await seedTask(system.deps.db, otherTenantId, theirs.id, { spinsReward: 1 });
  await claim({ ...theirTask, campaignId: theirs.id }, verified(10, 1, { spinsAwarded: 1 }));
  expect((await system.request('GET', `/api/v1/campaigns/${theirs.id}/stats`, { token: admin })).status).toBe(404);
  const user = await seedEndUser(tenantId);
  const ours = await seedCampaign(system.deps.db, tenantId);
  expect((await system.request('GET', `/api/v1/campaigns/${ours.id}/stats`, { token: tokens.endUser(tenantId, user.id) })).status).toBe(403);
});
