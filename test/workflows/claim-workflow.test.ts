// The claim workflow on the time-skipping server, with the real activities against a real
// database and a fake tenant WhatsApp provider over HTTP. Time-window cases jump the server's
// clock to chosen instants, so "sent at 09:00 Lima" is asserted on the workflow's own timeline.
import { Worker } from '@temporalio/worker';
import { CLAIM_STATUS } from '../../src/temporal/search-attributes.js';
import { claimStateQuery, manualDecisionSignal, notificationSettingsChangedSignal, notifyNowSignal } from '../../workflows/definitions.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startFakeHttpServer, type FakeHttpServer } from '../support/fake-http-server.js';
import {
  activityScheduledAt,
  RECORDS_VERIFICATION,
  nextLocalTime,
  startClaimHarness,
  waitForClaim,
  workflowBundle,
  type ClaimHarness,
} from './claim-support.js';
import { seedClaim } from '../support/factories.js';

let database: TestDatabase;
let provider: FakeHttpServer;
let harness: ClaimHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  provider = await startFakeHttpServer(() => ({ body: { id: `msg-${provider.requests.length}` } }));
  await workflowBundle();
}, 120_000);

afterAll(async () => {
  await provider.close();
  await database.close();
});

beforeEach(async () => {
  harness = await startClaimHarness(database.db);
});

afterEach(async () => {
  await harness.teardown();
});

/**
 * Slack on the workflow's clock: while a workflow task or an activity runs, the time-skipping
 * server's clock moves at the real pace, so a loaded machine adds seconds; a wrong hour adds hours.
 */
const WORKFLOW_LATENCY_SLACK_MS = 60_000;

/** The send happened at `expected` (workflow time), give or take the workflow task's own latency. */
async function expectSentAt(handle: Parameters<typeof activityScheduledAt>[0], expected: Date) {
  const sentAt = await activityScheduledAt(handle, 'sendNotification');
  expect(sentAt).toBeDefined();
  expect(sentAt!.getTime()).toBeGreaterThanOrEqual(expected.getTime());
  expect(sentAt!.getTime()).toBeLessThan(expected.getTime() + WORKFLOW_LATENCY_SLACK_MS);
}

async function seed(options: Parameters<typeof seedClaim>[2] = {}) {
  return seedClaim(database.db, harness.secrets, { providerUrl: `${provider.url}/send`, ...options });
}

test('waits the verify delay in workflow time, credits the spins once, and notifies through the tenant provider', async () => {
  const claim = await seed();
  const before = provider.requests.length;
  const handle = await harness.startClaim(claim.claimId);
  const startedAt = await harness.now();
  const result = await handle.result();

  expect(result).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  const verifiedAt = await activityScheduledAt(handle, RECORDS_VERIFICATION);
  expect(verifiedAt!.getTime() - startedAt.getTime()).toBeGreaterThanOrEqual(5 * 60_000);

  const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
  expect(row).toMatchObject({
    status: 'VERIFIED',
    verificationMethod: 'HONOR_SYSTEM',
    spinsAwarded: 3,
    notificationStatus: 'SENT',
    notificationChannel: 'TENANT_PROVIDER',
  });
  expect(row.notificationProviderMessageId).toMatch(/^msg-/);
  expect(await database.db.spinCredit.count({ where: { claimId: claim.claimId } })).toBe(1);

  const sent = provider.requests.slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.headers.authorization).toBe('Bearer tenant-key');
  expect(sent[0]!.body).toMatchObject({ sender: 'Acme' });
  const body = sent[0]!.body as { number: string; message: string };
  expect(body.number.replace(/\D/g, '')).toBe('51987654321');
  expect(body.message).toContain('Ana');
  expect(body.message).toContain('Comment on our post');
  expect(body.message).toContain(`https://campaigns.example.test/campaigns/${claim.campaignId}`);
});

test('a re-run after the verification step committed sets ClaimStatus from the row, not PENDING', async () => {
  // The worker died after verifyAndPlan committed and before its workflow task completed: the re-run
  // finds the claim already VERIFIED (and credited) and records nothing.
  const claim = await seed();
  const handle = await harness.startClaim(claim.claimId);
  await database.db.claim.update({
    where: { id: claim.claimId },
    data: { status: 'VERIFIED', verificationMethod: 'HONOR_SYSTEM', verifiedAt: new Date(), spinsAwarded: 3 },
  });
  expect((await handle.describe()).typedSearchAttributes.get(CLAIM_STATUS)).toBe('PENDING');
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect((await handle.describe()).typedSearchAttributes.get(CLAIM_STATUS)).toBe('VERIFIED');
});

test('a claim verified at 22:50 in Lima with a 9–21 window is sent at 09:00 Lima the next day', async () => {
  const claim = await seed({ campaign: { timezone: 'America/Lima', notificationStartHour: 9, notificationEndHour: 21 } });
  const claimAt = nextLocalTime(new Date((await harness.now()).getTime() + 86_400_000), 'America/Lima', 22, 45);
  await harness.jumpTo(claimAt);
  const handle = await harness.startClaim(claim.claimId);
  await harness.env.sleep(5 * 60_000); // nobody awaits the result yet, so skip the verify delay by hand

  const waiting = await waitForClaim(database.db, claim.claimId, (row) => row.notificationStatus === 'WAITING_FOR_WINDOW');
  const expectedOpen = new Date(claimAt.getTime() + 10 * 3_600_000 + 15 * 60_000); // 22:45 → 09:00 next day (Lima has no DST)
  expect(waiting.notificationNotBefore?.toISOString()).toBe(expectedOpen.toISOString());
  const verifiedAt = waiting.verifiedAt!.getTime() - claimAt.getTime();
  expect(verifiedAt).toBeGreaterThanOrEqual(5 * 60_000); // 22:50 Lima, on the workflow's clock
  expect(verifiedAt).toBeLessThan(5 * 60_000 + WORKFLOW_LATENCY_SLACK_MS);
  const state = await handle.query(claimStateQuery);
  expect(state).toMatchObject({ phase: 'WAITING_FOR_WINDOW', status: 'VERIFIED', notBefore: expectedOpen.toISOString() });

  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  await expectSentAt(handle, expectedOpen);

  // The history replays against today's workflow code without a determinism error.
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory(), handle.workflowId);
});

test('on the Europe/Berlin spring-forward day a window starting at 02:00 opens at 03:00 CEST', async () => {
  const claim = await seed({ campaign: { timezone: 'Europe/Berlin', notificationStartHour: 2, notificationEndHour: 8 } });
  await harness.jumpTo(new Date('2027-03-28T00:25:00Z')); // 01:25 CET
  const handle = await harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  // 02:00 does not exist that night: clocks jump from 02:00 CET to 03:00 CEST at 01:00Z.
  await expectSentAt(handle, new Date('2027-03-28T01:00:00Z'));
});

test('on the Europe/Berlin fall-back day 09:00 is 08:00Z', async () => {
  const claim = await seed({ campaign: { timezone: 'Europe/Berlin', notificationStartHour: 9, notificationEndHour: 21 } });
  await harness.jumpTo(new Date('2027-10-30T22:00:00Z')); // 00:00 CEST on the 31st
  const handle = await harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  await expectSentAt(handle, new Date('2027-10-31T08:00:00Z'));
});

test('an overnight window (20→8) verified at noon waits until 20:00, using the tenant zone when the campaign has none', async () => {
  const claim = await seed({ tenantTimezone: 'Asia/Kolkata', campaign: { timezone: null, notificationStartHour: 20, notificationEndHour: 8 } });
  const claimAt = nextLocalTime(new Date((await harness.now()).getTime() + 86_400_000), 'Asia/Kolkata', 11, 55);
  await harness.jumpTo(claimAt);
  const handle = await harness.startClaim(claim.claimId);
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  await expectSentAt(handle, new Date(claimAt.getTime() + 8 * 3_600_000 + 5 * 60_000));
});

describe('a claim waiting for the window', () => {
  async function startWaitingInLima() {
    const claim = await seed({ campaign: { timezone: 'America/Lima', notificationStartHour: 9, notificationEndHour: 21 } });
    const claimAt = nextLocalTime(new Date((await harness.now()).getTime() + 86_400_000), 'America/Lima', 22, 45);
    await harness.jumpTo(claimAt);
    const handle = await harness.startClaim(claim.claimId);
    await harness.env.sleep(5 * 60_000);
    await waitForClaim(database.db, claim.claimId, (row) => row.notificationStatus === 'WAITING_FOR_WINDOW');
    return { claim, handle, claimAt };
  }

  test('follows a window moved to include now, without waiting for the old timer', async () => {
    const { claim, handle, claimAt } = await startWaitingInLima();
    await database.db.campaign.update({ where: { id: claim.campaignId }, data: { notificationStartHour: 22, notificationEndHour: 23 } });
    await handle.signal(notificationSettingsChangedSignal);
    expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
    const sentAt = await activityScheduledAt(handle, 'sendNotification');
    expect(sentAt!.getTime()).toBeLessThan(claimAt.getTime() + 15 * 60_000);
    const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(row.notificationNotBefore).toBeNull();
  });

  test('is skipped when notifications are disabled meanwhile, and nothing is sent', async () => {
    const before = provider.requests.length;
    const { claim, handle } = await startWaitingInLima();
    await database.db.campaign.update({ where: { id: claim.campaignId }, data: { notificationEnabled: false } });
    await handle.signal(notificationSettingsChangedSignal);
    expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SKIPPED' });
    expect(provider.requests.length).toBe(before);
    const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(row.notificationError).toMatch(/disabled/);
    expect(row.spinsAwarded).toBe(3);
  });

  test('is sent at once on notify-now, ignoring the window', async () => {
    const { handle, claimAt } = await startWaitingInLima();
    await handle.signal(notifyNowSignal);
    expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
    expect((await activityScheduledAt(handle, 'sendNotification'))!.getTime()).toBeLessThan(claimAt.getTime() + 15 * 60_000);
  });
});

test('a notice that could only go out later than the configured maximum is skipped with the reason', async () => {
  const claim = await seed({ campaign: { timezone: 'America/Lima', notificationStartHour: 9, notificationEndHour: 21 } });
  await harness.jumpTo(nextLocalTime(new Date((await harness.now()).getTime() + 86_400_000), 'America/Lima', 22, 45));
  const handle = await harness.startClaim(claim.claimId, { notificationMaxDelayMs: 3_600_000 });
  expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SKIPPED' });
  const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
  expect(row.notificationError).toMatch(/too long after verification/);
});

describe('manual review', () => {
  test('approval verifies the claim and credits it', async () => {
    const claim = await seed({ task: { verificationStrategy: 'MANUAL' } });
    const handle = await harness.startClaim(claim.claimId);
    await harness.env.sleep(5 * 60_000);
    await waitForClaim(database.db, claim.claimId, (row) => row.detail === 'Awaiting manual review');
    expect((await handle.query(claimStateQuery)).phase).toBe('AWAITING_MANUAL_REVIEW');
    await handle.signal(manualDecisionSignal, { approved: true, decidedBy: 'admin-1' });
    expect(await handle.result()).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
    const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(row).toMatchObject({ verificationMethod: 'MANUAL', spinsAwarded: 3 });
  });

  test('rejection fails the claim with the reason, credits nothing and sends nothing', async () => {
    const before = provider.requests.length;
    const claim = await seed({ task: { verificationStrategy: 'MANUAL' } });
    const handle = await harness.startClaim(claim.claimId);
    await harness.env.sleep(5 * 60_000);
    await waitForClaim(database.db, claim.claimId, (row) => row.detail === 'Awaiting manual review');
    await handle.signal(manualDecisionSignal, { approved: false, reason: 'no comment visible' });
    expect(await handle.result()).toEqual({ status: 'FAILED', notificationStatus: 'SKIPPED' });
    const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(row).toMatchObject({ status: 'FAILED', verificationMethod: 'MANUAL', spinsAwarded: 0, notificationStatus: 'SKIPPED' });
    expect(row.detail).toContain('no comment visible');
    expect(await database.db.spinCredit.count({ where: { claimId: claim.claimId } })).toBe(0);
    expect(provider.requests.length).toBe(before);
  });

  test('expires as FAILED after the review timeout without a decision', async () => {
    const claim = await seed({ task: { verificationStrategy: 'MANUAL' } });
    const startedAt = await harness.now();
    const handle = await harness.startClaim(claim.claimId);
    expect((await handle.result()).status).toBe('FAILED');
    expect((await harness.now()).getTime() - startedAt.getTime()).toBeGreaterThanOrEqual(7 * 24 * 3_600_000);
    const row = await database.db.claim.findUniqueOrThrow({ where: { id: claim.claimId } });
    expect(row.detail).toMatch(/Manual review expired/);
  });

  test('a decision sent during the initial wait is applied without waiting for the delay', async () => {
    const claim = await seed({ task: { verificationStrategy: 'MANUAL' } });
    const startedAt = await harness.now();
    const handle = await harness.startClaim(claim.claimId, { verifyDelayMs: 3_600_000 });
    await handle.signal(manualDecisionSignal, { approved: true });
    expect((await handle.result()).status).toBe('VERIFIED');
    expect((await activityScheduledAt(handle, RECORDS_VERIFICATION))!.getTime() - startedAt.getTime()).toBeLessThan(3_600_000);
  });
});

test('statistical verification is decided by the completion id and the approval rate', async () => {
  const approved = await seed({ task: { verificationStrategy: 'STATISTICAL', statisticalApprovalRate: 1 } });
  const rejected = await seed({ task: { verificationStrategy: 'STATISTICAL', statisticalApprovalRate: 0 } });
  const a = await (await harness.startClaim(approved.claimId)).result();
  const b = await (await harness.startClaim(rejected.claimId)).result();
  expect(a.status).toBe('VERIFIED');
  expect(b.status).toBe('FAILED');
  const row = await database.db.claim.findUniqueOrThrow({ where: { id: approved.claimId } });
  expect(row.verificationMethod).toBe('STATISTICAL');
});
