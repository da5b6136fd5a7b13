// One recipient, one message at a time: when several of one end user's
// notifications of a campaign are due together (tasks verified overnight, the window opens), one
// message lists them all and the others are recorded COALESCED into it; and two messages to the same
// user (other campaigns) are never less than 6 s apart. Time-skipping server, real activities and
// database, a fake provider over HTTP.
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { pino } from 'pino';
import { RECIPIENT_SPACING_MS } from '../../src/notifications/outcomes.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { graphClientFromConfig } from '../../src/integrations/meta/graph-client-from-config.js';
import { claimStateQuery, claimWorkflowId, notificationSettingsChangedSignal } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { testConfig, waitForClaim, useClaimTestWorld } from './claim-support.js';
import { seedClaim, type SeededClaim } from '../support/factories.js';

const world = useClaimTestWorld({ providerKey: 'coalescing-key' });

/** Another HONOR_SYSTEM task of `campaignId` claimed by the same end user. */
async function sameUserClaim(of: SeededClaim, title: string, campaignId = of.campaignId): Promise<string> {
  const task = await world.database.db.socialMediaTask.create({
    data: {
      tenantId: of.tenantId,
      campaignId,
      title,
      platform: 'INSTAGRAM',
      actionType: 'FOLLOW',
      spinsReward: 2,
      verificationStrategy: 'HONOR_SYSTEM',
    },
  });
  const id = randomUUID();
  await world.database.db.claim.create({
    data: { id, tenantId: of.tenantId, campaignId, taskId: task.id, userId: of.userId, workflowId: claimWorkflowId(id) },
  });
  return id;
}

/** The real notification activities, called directly (as a retrying Temporal would). */
function notificationActivities(env: Record<string, string> = {}) {
  const config = testConfig(env);
  return createNotificationActivities({
    config,
    db: world.database.db,
    secrets: world.harness.secrets,
    logger: pino({ level: 'silent' }),
    graph: graphClientFromConfig(config),
  });
}

/** Verified and waiting to be notified (verifiedAt now, so later calls are verified later). */
async function markVerified(ids: string[]) {
  await world.database.db.claim.updateMany({
    where: { id: { in: ids } },
    data: { status: 'VERIFIED', verifiedAt: new Date(), spinsAwarded: 2, notificationStatus: 'WAITING_FOR_WINDOW' },
  });
}

const closedWindow = async () => {
  const startHour = new Date((await world.harness.now()).getTime() + 12 * 3_600_000).getUTCHours();
  return { notificationStartHour: startHour, notificationEndHour: (startHour + 1) % 24 };
};

async function allWaiting(handles: WorkflowHandle[]) {
  for (const handle of handles) {
    await eventually(async () => (await handle.query(claimStateQuery)).phase === 'WAITING_FOR_WINDOW', 'claims to wait for the window');
  }
}

test('three notifications of one user due together go out as one message listing the three tasks; two are COALESCED into it', async () => {
  const first = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
    campaign: await closedWindow(),
  });
  const ids = [first.claimId, await sameUserClaim(first, 'Like our reel'), await sameUserClaim(first, 'Share our post')];
  const handles = await Promise.all(ids.map((id) => world.harness.startClaim(id, { verifyDelayMs: 1_000 })));
  await allWaiting(handles);
  const sentBefore = world.provider.sent.length;

  // The window opens: every claim is re-planned at once.
  await world.database.db.campaign.update({ where: { id: first.campaignId }, data: { notificationStartHour: 0, notificationEndHour: 0 } });
  await Promise.all(handles.map((handle) => handle.signal(notificationSettingsChangedSignal)));
  // Waited for in real time (the world.provider and the spacing use the real clock; awaiting results would
  // let the test server skip time while a local activity is still running in the worker).
  const settled = (row: { notificationStatus: string }) => row.notificationStatus === 'SENT' || row.notificationStatus === 'COALESCED';
  await Promise.all(ids.map((id) => waitForClaim(world.database.db, id, settled, 40_000)));

  const messages = world.provider.sent.slice(sentBefore);
  expect(messages).toHaveLength(1);
  expect(messages[0]!.message).toContain('Comment on our post');
  expect(messages[0]!.message).toContain('Like our reel');
  expect(messages[0]!.message).toContain('Share our post');
  expect(messages[0]!.message).toContain('7 spins'); // 3 + 2 + 2

  const rows = await world.database.db.claim.findMany({ where: { id: { in: ids } } });
  const sender = rows.find((row) => row.notificationStatus === 'SENT');
  expect(sender).toBeDefined();
  const coalesced = rows.filter((row) => row.notificationStatus === 'COALESCED');
  expect(coalesced).toHaveLength(2);
  for (const row of coalesced) {
    expect(row.notificationCoalescedIntoId).toBe(sender!.id);
    // Stamped under the sender's attempt: no attempt of their own can ever send them.
    expect(row.notificationAttemptId).toBe(sender!.notificationAttemptId);
  }
  const view = await world.database.db.claim.findUniqueOrThrow({ where: { id: coalesced[0]!.id } });
  expect(view.notificationCoalescedIntoId).toBe(sender!.id);
}, 60_000);

test('two messages to one user from different campaigns due together are at least 6 s apart', async () => {
  const first = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
  });
  const other = await world.database.db.campaign.create({
    data: { tenantId: first.tenantId, name: 'Winter', notificationStartHour: 0, notificationEndHour: 0 },
  });
  const second = await sameUserClaim(first, 'Follow our winter page', other.id);
  const sentBefore = world.provider.sent.length;
  const arrivals: number[] = [];
  const watch = setInterval(() => {
    while (sentBefore + arrivals.length < world.provider.sent.length) arrivals.push(Date.now());
  }, 20);
  try {
    await Promise.all([first.claimId, second].map((id) => world.harness.startClaim(id, { verifyDelayMs: 1_000 })));
    await waitForClaim(world.database.db, first.claimId, (row) => row.notificationStatus === 'SENT', 40_000);
    await waitForClaim(world.database.db, second, (row) => row.notificationStatus === 'SENT', 40_000);
    await eventually(async () => arrivals.length === 2, 'both arrivals seen');
  } finally {
    clearInterval(watch);
  }
  expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(RECIPIENT_SPACING_MS - 100);
}, 60_000);

test('two sends of one user racing: one message; the other is COALESCED under the same attempt and never sends, however often it is retried', async () => {
  const first = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
  });
  const second = await sameUserClaim(first, 'Like our reel');
  const ids = [first.claimId, second];
  await markVerified(ids);
  const activities = notificationActivities();
  const sentBefore = world.provider.sent.length;

  const raced = await Promise.allSettled(ids.map((claimId) => activities.sendNotification({ claimId })));
  // The loser either found itself coalesced, or was told to wait (nothing stamped, nothing sent).
  for (const result of raced) {
    if (result.status === 'rejected') expect(String(result.reason)).toMatch(/less than 6 s ago/);
  }
  // Retries of both (as Temporal would) change nothing.
  for (const claimId of ids) await activities.sendNotification({ claimId });
  await activities.sendNotification({ claimId: second });

  expect(world.provider.sent.length - sentBefore).toBe(1);
  const rows = await world.database.db.claim.findMany({ where: { id: { in: ids } } });
  const sender = rows.find((row) => row.notificationStatus === 'SENT')!;
  const carried = rows.find((row) => row.notificationStatus === 'COALESCED')!;
  expect(carried.notificationCoalescedIntoId).toBe(sender.id);
  expect(carried.notificationAttemptId).toBe(sender.notificationAttemptId);
  expect(world.provider.sent.at(-1)!.message).toMatch(/Your tasks ".+" and ".+" were verified and 4 spins were added/);
});

test("a message lists every task it carries, transitively: X absorbs Y, X is released, W absorbs X; W's message lists W, X and Y", async () => {
  const x = await seedClaim(world.database.db, world.harness.secrets, { providerUrl: world.provider.sendUrl, providerKey: world.provider.apiKey });
  const y = await sameUserClaim(x, 'Like our reel');
  await markVerified([x.claimId, y]);
  const activities = notificationActivities();
  const sentBefore = world.provider.sent.length;

  // X stamps and absorbs Y; the provider refuses the request (429: nothing sent), so X is released.
  world.provider.scriptReplies({ status: 429, body: { status: 'error', message: 'slow down' } });
  await expect(activities.sendNotification({ claimId: x.claimId })).rejects.toThrow();
  const row = (id: string) => world.database.db.claim.findUniqueOrThrow({ where: { id } });
  expect(await row(y)).toMatchObject({ notificationStatus: 'COALESCED', notificationCoalescedIntoId: x.claimId });
  expect(await row(x.claimId)).toMatchObject({ notificationStatus: 'PENDING', notificationAttemptId: null });

  // W, verified meanwhile, stamps first and absorbs X (with what X carries).
  const w = await sameUserClaim(x, 'Share our post');
  await markVerified([w]);
  expect(await activities.sendNotification({ claimId: w })).toMatchObject({ notificationStatus: 'SENT' });
  expect(await row(x.claimId)).toMatchObject({ notificationStatus: 'COALESCED', notificationCoalescedIntoId: w });

  // Retries of X and Y send nothing of their own.
  await activities.sendNotification({ claimId: x.claimId });
  await activities.sendNotification({ claimId: y });
  const messages = world.provider.sent.slice(sentBefore);
  expect(messages).toHaveLength(1);
  for (const title of ['Share our post', 'Comment on our post', 'Like our reel']) expect(messages[0]!.message).toContain(title);
  expect(messages[0]!.message).toContain('6 spins'); // 2 + 2 + 2
  expect(await row(y)).toMatchObject({ notificationStatus: 'COALESCED' });
});

test("the same phone at two tenants that share the platform's number is one recipient: the second message waits 6 s", async () => {
  // Two tenants without their own channel send through the platform's provider; their end users
  // have the same phone number (seedClaim gives every user the same one).
  const activities = notificationActivities({ WHATSAPP_API_URL: world.provider.sendUrl, WHATSAPP_API_KEY: world.provider.apiKey });
  const first = await seedClaim(world.database.db, world.harness.secrets);
  const second = await seedClaim(world.database.db, world.harness.secrets);
  await markVerified([first.claimId, second.claimId]);
  const sentBefore = world.provider.sent.length;

  expect(await activities.sendNotification({ claimId: first.claimId })).toMatchObject({ notificationStatus: 'SENT' });
  await expect(activities.sendNotification({ claimId: second.claimId })).rejects.toThrow(/less than 6 s ago/);
  expect(world.provider.sent.length - sentBefore).toBe(1);
});

test("a worker whose clock runs 10 s ahead still keeps 6 s after another worker's message: the database's clock decides", async () => {
  const first = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
  });
  const other = await world.database.db.campaign.create({
    data: { tenantId: first.tenantId, name: 'Winter', notificationStartHour: 0, notificationEndHour: 0 },
  });
  const second = await sameUserClaim(first, 'Follow our winter page', other.id);
  await markVerified([first.claimId, second]);
  const activities = notificationActivities();
  expect(await activities.sendNotification({ claimId: first.claimId })).toMatchObject({ notificationStatus: 'SENT' });

  // The next send runs on a worker whose wall clock is 10 s ahead (only Date is faked; timers run).
  jest.useFakeTimers({
    now: Date.now() + 10_000,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    await expect(activities.sendNotification({ claimId: second })).rejects.toThrow(/less than 6 s ago/);
  } finally {
    jest.useRealTimers();
  }
});
