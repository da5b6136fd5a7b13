// The claim workflow's steps against stubbed activities: plain functions on a Worker over the
// time-skipping test server, no database and no fakes (the Temporal samples' way). The
// end-to-end claim tests next to this file drive the same workflow with the real activities.
import { ApplicationFailure, type Duration } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { ClaimSnapshot, NotificationPlan, RecordedVerification, SendOutcome, VerificationOutcome } from '../../activities/claim-types.js';
import type { ClaimReason } from '../../src/domain/claim-reason.js';
import type { NotificationStatus } from '../../src/domain/statuses.js';
import {
  CLAIM_WORKFLOW_TYPE,
  claimStateQuery,
  claimWorkflowId,
  manualDecisionSignal,
  notifyNowSignal,
  type ClaimWorkflowInput,
} from '../../workflows/definitions.js';
import type { verifySocialTaskClaim } from '../../workflows/verify-social-task-claim.js';
import { eventually } from '../support/eventually.js';
import { createTimeSkippingEnv } from '../support/temporal.js';
import { workflowBundle } from './claim-support.js';
import { decideWithoutMeta } from '../../src/domain/decide-without-meta.js';

const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 60_000);
afterAll(async () => {
  await env?.teardown();
});

/** What the stubbed activities were asked, in order. */
interface Calls {
  verifyWithMeta: number;
  pendingDetails: { detail: string; reason: ClaimReason | undefined }[];
  completed: VerificationOutcome[];
  plans: { ignoreWindow: boolean }[];
  sends: number;
  markedFailed: string[];
}

interface Stubs {
  claim?: Partial<ClaimSnapshot>;
  verifyWithMeta?: (attempt: number) => VerificationOutcome;
  plan?: (attempt: number, input: { ignoreWindow: boolean; now: string }) => NotificationPlan;
  /** Runs inside planNotification before it answers (a slow database step). */
  slowPlan?: (attempt: number) => Promise<void>;
  send?: (attempt: number) => SendOutcome;
}

function stubActivities(stubs: Stubs, calls: Calls) {
  const base = baseStubs(stubs, calls);
  // The merged local steps (activities/verification-step.ts), composed of the stubs as the real ones are.
  const recordAndPlan = async (
    claimId: string,
    outcome: Extract<VerificationOutcome, { kind: 'decided' }>,
    plan: { now: string; ignoreWindow: boolean; maxDelayMs: number },
  ) => {
    const recorded = await base.completeVerification(claimId, outcome);
    if (recorded.status !== 'VERIFIED') return { recorded };
    return { recorded, plan: await base.planNotification(plan) };
  };
  return {
    ...base,
    recordAndPlan,
    async verifyAndPlan(claimId: string, decidedElsewhere: boolean, plan: { now: string; ignoreWindow: boolean; maxDelayMs: number }) {
      const claim = await base.loadClaim();
      if (claim.status !== 'PENDING' || decidedElsewhere) return { claim };
      const strategy = claim.verificationStrategy;
      if (strategy !== 'HONOR_SYSTEM' && strategy !== 'STATISTICAL') return { claim };
      return { claim, ...(await recordAndPlan(claimId, decideWithoutMeta(strategy, claimId, claim.statisticalApprovalRate), plan)) };
    },
  };
}

function baseStubs(stubs: Stubs, calls: Calls) {
  return {
    async loadClaim(): Promise<ClaimSnapshot> {
      return {
        status: 'PENDING',
        verificationStrategy: 'HONOR_SYSTEM',
        fallbackStrategy: 'HONOR_SYSTEM',
        statisticalApprovalRate: 0.5,
        notificationStatus: 'PENDING',
        ...stubs.claim,
      };
    },
    async recordPendingDetail(_claimId: string, detail: string, reason?: ClaimReason): Promise<void> {
      calls.pendingDetails.push({ detail, reason });
    },
    async completeVerification(_claimId: string, outcome: VerificationOutcome): Promise<RecordedVerification> {
      calls.completed.push(outcome);
      const verified = outcome.kind === 'decided' && outcome.verified;
      return {
        status: verified ? 'VERIFIED' : 'FAILED',
        notificationStatus: verified ? 'PENDING' : 'SKIPPED',
        detail: outcome.detail ?? null,
        spinsAwarded: verified ? 3 : 0,
      };
    },
    async verifyWithMeta(): Promise<VerificationOutcome> {
      const outcome = stubs.verifyWithMeta?.(calls.verifyWithMeta) ?? { kind: 'fallback', detail: 'no stub' };
      calls.verifyWithMeta++;
      return outcome;
    },
    async planNotification(input: { ignoreWindow: boolean; now: string }): Promise<NotificationPlan> {
      await stubs.slowPlan?.(calls.plans.length);
      const plan = stubs.plan?.(calls.plans.length, input) ?? { action: 'send', notificationStatus: 'PENDING' };
      calls.plans.push({ ignoreWindow: input.ignoreWindow });
      return plan;
    },
    async sendNotification(): Promise<SendOutcome> {
      const outcome = stubs.send?.(calls.sends) ?? { notificationStatus: 'SENT' };
      calls.sends++;
      return outcome;
    },
    async markNotificationFailed(input: { reason: string }): Promise<NotificationStatus> {
      calls.markedFailed.push(input.reason);
      return 'FAILED';
    },
  };
}

/** Runs one claim workflow on its own task queue with the stubs until `body` is done. */
async function withClaim<T>(
  stubs: Stubs,
  body: (claim: ClaimUnderTest) => Promise<T>,
  input: Partial<ClaimWorkflowInput> = {},
  start: { workflowTaskTimeout?: Duration } = {},
): Promise<{ result: T; calls: Calls }> {
  const calls: Calls = { verifyWithMeta: 0, pendingDetails: [], completed: [], plans: [], sends: 0, markedFailed: [] };
  const taskQueue = `claim-steps-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: stubActivities(stubs, calls),
  });
  const claimId = randomUUID();
  const handle = await env.client.workflow.start<typeof verifySocialTaskClaim>(CLAIM_WORKFLOW_TYPE, {
    workflowId: claimWorkflowId(claimId),
    taskQueue,
    ...start,
    args: [
      {
        claimId,
        tenantId: randomUUID(),
        campaignId: randomUUID(),
        verifyDelayMs: 5 * 60_000,
        manualReviewTimeoutMs: 7 * 24 * HOUR,
        credentialRetryWindowMs: 24 * HOUR,
        notificationMaxDelayMs: 7 * 24 * HOUR,
        sendTaskQueue: taskQueue,
        ...input,
      },
    ],
  });
  try {
    const result = await worker.runUntil(body(handle));
    return { result, calls };
  } finally {
    // A failed test must not leave a running workflow behind: it would hold the shared test clock.
    await handle.terminate('test over').catch(() => {});
  }
}

type ClaimUnderTest = Awaited<ReturnType<typeof env.client.workflow.start<typeof verifySocialTaskClaim>>>;

test('honor system: waits, verifies, plans once and sends once', async () => {
  const { result, calls } = await withClaim({}, (claim) => claim.result());
  expect(result).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(calls.completed).toEqual([
    expect.objectContaining({ kind: 'decided', verified: true, method: 'HONOR_SYSTEM', reason: 'ACCEPTED_ON_HONOR' }),
  ]);
  expect(calls.plans).toEqual([{ ignoreWindow: false }]);
  expect(calls.sends).toBe(1);
  expect(calls.verifyWithMeta).toBe(0);
});

test('an admin decision during the wait decides the claim without asking Meta', async () => {
  const { result, calls } = await withClaim({ claim: { verificationStrategy: 'META_API' } }, async (claim) => {
    await claim.signal(manualDecisionSignal, { approved: false, reason: 'duplicate account' });
    return claim.result();
  });
  expect(result).toEqual({ status: 'FAILED', notificationStatus: 'SKIPPED' });
  expect(calls.verifyWithMeta).toBe(0);
  expect(calls.completed).toEqual([
    expect.objectContaining({
      verified: false,
      method: 'MANUAL',
      reason: 'REJECTED_BY_REVIEW',
      detail: 'Rejected by manual review: duplicate account',
    }),
  ]);
  expect(calls.plans).toEqual([]);
});

test('Meta cannot check the task: the fallback strategy decides and the detail says both', async () => {
  const { calls } = await withClaim(
    {
      claim: { verificationStrategy: 'META_API', fallbackStrategy: 'HONOR_SYSTEM' },
      verifyWithMeta: () => ({ kind: 'fallback', detail: 'Instagram has no list of followers' }),
    },
    (claim) => claim.result(),
  );
  expect(calls.completed).toEqual([
    expect.objectContaining({ verified: true, method: 'HONOR_SYSTEM', detail: 'Instagram has no list of followers. Accepted on the honor system' }),
  ]);
});

test('credential back-off: rejected credentials keep the claim pending until they work again', async () => {
  const rejected: VerificationOutcome = { kind: 'credentials_rejected', method: 'TENANT_META_API', detail: 'token expired' };
  const { result, calls } = await withClaim(
    {
      claim: { verificationStrategy: 'META_API' },
      verifyWithMeta: (attempt) =>
        attempt < 2 ? rejected : { kind: 'decided', verified: true, method: 'TENANT_META_API', reason: 'VERIFIED_BY_META' },
    },
    (claim) => claim.result(),
  );
  expect(result.status).toBe('VERIFIED');
  expect(calls.verifyWithMeta).toBe(3);
  expect(calls.pendingDetails).toEqual([
    { detail: 'Waiting for valid Meta credentials: token expired', reason: 'WAITING_FOR_CREDENTIALS' },
    { detail: 'Waiting for valid Meta credentials: token expired', reason: 'WAITING_FOR_CREDENTIALS' },
  ]);
  expect(calls.completed).toEqual([expect.objectContaining({ verified: true, method: 'TENANT_META_API' })]);
});

test('credential back-off ends after the retry window: 5, 15, 30 minutes, then the rest of the hour', async () => {
  const { result, calls } = await withClaim(
    {
      claim: { verificationStrategy: 'META_API' },
      verifyWithMeta: () => ({ kind: 'credentials_rejected', method: 'PLATFORM_META_API', detail: 'token revoked' }),
    },
    (claim) => claim.result(),
    { credentialRetryWindowMs: HOUR },
  );
  expect(result).toEqual({ status: 'FAILED', notificationStatus: 'SKIPPED' });
  // Attempts at 0, 5, 20, 50 and 60 minutes; the last finds the window over.
  expect(calls.verifyWithMeta).toBe(5);
  expect(calls.pendingDetails).toHaveLength(4);
  expect(calls.completed).toEqual([
    expect.objectContaining({
      verified: false,
      method: 'PLATFORM_META_API',
      reason: 'CREDENTIALS_REJECTED',
      detail: 'Meta credentials were rejected for 1h: token revoked',
    }),
  ]);
});

test('notify loop: notify-now cuts a window wait short and skips the window for that one send', async () => {
  const farAway = (input: { now: string }) => new Date(Date.parse(input.now) + 12 * HOUR).toISOString();
  const { result, calls } = await withClaim(
    {
      plan: (attempt, input) =>
        attempt === 0
          ? { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: farAway(input) }
          : { action: 'send', notificationStatus: 'WAITING_FOR_WINDOW' },
    },
    async (claim) => {
      await env.sleep(5 * 60_000);
      await eventually(async () => (await claim.query(claimStateQuery)).phase === 'WAITING_FOR_WINDOW', 'the wait for the window');
      await claim.signal(notifyNowSignal);
      return claim.result();
    },
  );
  expect(result).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(calls.plans).toEqual([{ ignoreWindow: false }, { ignoreWindow: true }]);
  expect(calls.sends).toBe(1);
});

test('notify loop: a notify-now that arrives while the verify step is still planning is honoured, not slept through', async () => {
  // The verify-and-plan local step outlasts a workflow-task heartbeat (80% of the 2 s workflow task
  // timeout), so the signal reaches the workflow while the step that plans is still running.
  let handle: ClaimUnderTest | undefined;
  let planning!: () => void;
  const planningStarted = new Promise<void>((resolve) => {
    planning = resolve;
  });
  const nows: string[] = [];
  const farAway = (input: { now: string }) => new Date(Date.parse(input.now) + 30 * 24 * HOUR).toISOString();
  const { result, calls } = await withClaim(
    {
      slowPlan: async (attempt) => {
        if (attempt > 0) return;
        planning();
        await eventually(async () => signalHandledDuringTheStep(handle!), 'the notify-now to be delivered while the step runs', 30_000);
      },
      plan: (attempt, input) => {
        nows.push(input.now);
        return attempt === 0
          ? { action: 'wait', notificationStatus: 'WAITING_FOR_WINDOW', notBefore: farAway(input) }
          : { action: 'send', notificationStatus: 'WAITING_FOR_WINDOW' };
      },
    },
    async (claim) => {
      handle = claim;
      await env.sleep(5 * 60_000);
      await planningStarted;
      await claim.signal(notifyNowSignal);
      return claim.result();
    },
    {},
    { workflowTaskTimeout: '2s' },
  );
  expect(result).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(calls.plans).toEqual([{ ignoreWindow: false }, { ignoreWindow: true }]);
  // Re-planned at once, not when the stale plan's window opened 30 days later.
  expect(Date.parse(nows[1]!)).toBeLessThan(Date.parse(nows[0]!) + 24 * HOUR);
  expect(calls.sends).toBe(1);
});

/** Whether a workflow task that carried the signal has completed (its handler ran) while a local step is pending. */
async function signalHandledDuringTheStep(claim: ClaimUnderTest): Promise<boolean> {
  const events = (await claim.fetchHistory()).events ?? [];
  const signalled = events.findIndex((event) => event.workflowExecutionSignaledEventAttributes);
  return signalled >= 0 && events.slice(signalled).some((event) => event.workflowTaskCompletedEventAttributes);
}

test('notify loop: a send that finds the channel held waits, re-plans and sends once released', async () => {
  const { result, calls } = await withClaim(
    {
      send: (attempt) =>
        attempt === 0 ? { notificationStatus: 'PENDING', held: true, detail: 'WhatsApp token rejected' } : { notificationStatus: 'SENT' },
    },
    (claim) => claim.result(),
  );
  expect(result).toEqual({ status: 'VERIFIED', notificationStatus: 'SENT' });
  expect(calls.sends).toBe(2);
  expect(calls.plans).toHaveLength(2);
  expect(calls.markedFailed).toEqual([]);
});

test('notify loop: a send that fails for good marks the notification failed with the reason', async () => {
  const { result, calls } = await withClaim(
    {
      send: () => {
        throw ApplicationFailure.nonRetryable('provider rejected the number', 'Permanent');
      },
    },
    (claim) => claim.result(),
  );
  expect(result).toEqual({ status: 'VERIFIED', notificationStatus: 'FAILED' });
  expect(calls.markedFailed).toEqual(['sending failed after retries: provider rejected the number']);
});
