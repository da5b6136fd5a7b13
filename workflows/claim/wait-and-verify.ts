// Step 1 of a claim: wait before verifying (Meta needs time to show the comment), then decide the
// claim with the task's strategy — Meta (with a back-off while the tenant's credentials are
// rejected), then the task's fallback; the honor system; statistical sampling; or a manual review.
import { ActivityFailure, ApplicationFailure, condition, log, upsertSearchAttributes } from '@temporalio/workflow';
import type { ClaimSnapshot, IndexLook, VerificationOutcome } from '../../activities/claim-types.js';
import { decideWithoutMeta } from '../../src/domain/decide-without-meta.js';
import type { FallbackStrategy, VerificationStrategy } from '../../src/domain/statuses.js';
import { CLAIM_STATUS } from '../../src/temporal/search-attributes.js';
import { claimActivities, verificationActivities, verificationSteps } from '../activity-stubs.js';
import type { ManualDecision } from '../definitions.js';
import type { ClaimRun } from './claim-run.js';

/** Backoff while the tenant's Meta credentials are rejected: the tenant may fix them within the window. */
const CREDENTIAL_BACKOFF_MS = [5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000];
/** A claim still waiting for its target's index after this long fails as unverifiable (the Meta activity's own retry budget). */
const INDEX_WAIT_BUDGET_MS = 24 * 3_600_000;

type DecidedOutcome = Extract<VerificationOutcome, { kind: 'decided' }>;
type FallbackOutcome = Extract<VerificationOutcome, { kind: 'fallback' }>;
type MetaOutcome = Exclude<VerificationOutcome, { kind: 'look_again' }>;

/**
 * Waits, then verifies unless the claim was already decided (a re-run after a reset, or a manual
 * decision), and records the outcome, in at most two local activities: load-decide-record-plan in
 * one step when the strategy needs no outside call (honor system, sampling); otherwise load, verify
 * (Meta, a reviewer), then record-and-plan. The plan is handed to the notify loop, which does not
 * plan again. Resolves with the claim as loaded before verification.
 */
export async function waitAndVerify(run: ClaimRun): Promise<ClaimSnapshot> {
  const { input } = run;
  await condition(() => run.decision !== undefined, input.verifyDelayMs, { summary: 'Wait before verifying (CLAIM_VERIFY_DELAY)' });
  run.verifyAt = undefined;
  const planRequest = () => {
    // The plan reads the campaign and notify-now as of now; a signal from here on makes it stale
    // (the notify loop re-plans, see firstPlan).
    run.wakeUp = false;
    return { now: new Date().toISOString(), ignoreWindow: run.skipWindowOnce, maxDelayMs: input.notificationMaxDelayMs };
  };
  const step = await verificationSteps.verifyAndPlan(input.claimId, run.decision !== undefined, planRequest());
  let { recorded, plan } = step;
  run.status = step.claim.status;
  if (run.status === 'PENDING' && !recorded) {
    run.phase = 'VERIFYING';
    const outcome = run.decision ? manualOutcome(run.decision) : await verifyOrGiveUp(run, step.claim);
    ({ recorded, plan } = await verificationSteps.recordAndPlan(input.claimId, outcome, planRequest()));
  }
  if (recorded) {
    run.status = recorded.status;
    run.notificationStatus = recorded.notificationStatus;
    run.detail = recorded.detail ?? undefined;
  }
  // From what the row says on every path: a re-run after the step committed (the worker died before
  // the workflow task completed) finds the claim decided and records nothing, yet must not stay PENDING.
  upsertSearchAttributes([{ key: CLAIM_STATUS, value: run.status }]);
  run.firstPlan = plan;
  return step.claim;
}

/** A verification that cannot complete within its retry budget fails the claim with the reason. */
async function verifyOrGiveUp(run: ClaimRun, claim: ClaimSnapshot): Promise<DecidedOutcome> {
  try {
    return await verify(run, claim.verificationStrategy, claim.fallbackStrategy, claim.statisticalApprovalRate);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    return {
      kind: 'decided',
      verified: false,
      reason: 'VERIFICATION_UNAVAILABLE',
      detail: `Verification could not be completed: ${error.cause?.message ?? error.message}`,
    };
  }
}

async function verify(run: ClaimRun, strategy: VerificationStrategy, fallback: FallbackStrategy, approvalRate: number): Promise<DecidedOutcome> {
  if (strategy === 'META_API') {
    const viaMeta = await verifyWithMetaUntilCredentialsWork(run);
    if (viaMeta.kind === 'decided') return viaMeta;
    const outcome = await decideBy(run, fallback, approvalRate);
    return { ...outcome, detail: joinDetail(viaMeta.detail, outcome.detail) };
  }
  return decideBy(run, strategy, approvalRate);
}

/** The strategies that decide without Meta (each is also a fallback). */
async function decideBy(run: ClaimRun, strategy: FallbackStrategy, approvalRate: number): Promise<DecidedOutcome> {
  switch (strategy) {
    case 'HONOR_SYSTEM':
    case 'STATISTICAL':
      return decideWithoutMeta(strategy, run.input.claimId, approvalRate);
    case 'MANUAL':
      return awaitManualReview(run);
    default: {
      // Unreachable while the enum check holds; a row from a newer schema fails the claim loudly.
      const unknown: never = strategy;
      throw ApplicationFailure.nonRetryable(`unknown verification strategy ${String(unknown)}`, 'UnknownStrategy');
    }
  }
}

async function awaitManualReview(run: ClaimRun): Promise<DecidedOutcome> {
  const { input } = run;
  run.phase = 'AWAITING_MANUAL_REVIEW';
  await claimActivities.recordPendingDetail(input.claimId, 'Awaiting manual review', 'AWAITING_REVIEW');
  const decided = await condition(() => run.decision !== undefined, input.manualReviewTimeoutMs, { summary: 'Await manual review' });
  if (decided && run.decision) return manualOutcome(run.decision);
  return {
    kind: 'decided',
    verified: false,
    method: 'MANUAL',
    reason: 'REVIEW_EXPIRED',
    detail: `Manual review expired after ${Math.round(input.manualReviewTimeoutMs / 3_600_000)}h without a decision`,
  };
}

/** Credential back-off: rejected credentials keep the claim PENDING and retry for the configured window. */
async function verifyWithMetaUntilCredentialsWork(run: ClaimRun): Promise<DecidedOutcome | FallbackOutcome> {
  const { input } = run;
  let firstFailureAt: number | undefined;
  for (let attempt = 0; ; attempt++) {
    const result = await verifyWithMetaOnceIndexed(run);
    if (result.kind !== 'credentials_rejected') return result;
    firstFailureAt ??= Date.now();
    const elapsed = Date.now() - firstFailureAt;
    if (elapsed >= input.credentialRetryWindowMs) {
      return {
        kind: 'decided',
        verified: false,
        method: result.method,
        reason: 'CREDENTIALS_REJECTED',
        detail: `Meta credentials were rejected for ${Math.round(elapsed / 3_600_000)}h: ${result.detail}`,
      };
    }
    run.phase = 'WAITING_FOR_CREDENTIALS';
    run.detail = result.detail;
    log.warn('Meta credentials rejected; claim stays pending', { completionId: input.claimId, attempt });
    await claimActivities.recordPendingDetail(input.claimId, `Waiting for valid Meta credentials: ${result.detail}`, 'WAITING_FOR_CREDENTIALS');
    const backoff = Math.min(CREDENTIAL_BACKOFF_MS[Math.min(attempt, CREDENTIAL_BACKOFF_MS.length - 1)]!, input.credentialRetryWindowMs - elapsed);
    if (await condition(() => run.decision !== undefined, Math.max(1, backoff), { summary: 'Back off: Meta credentials rejected' })) {
      return manualOutcome(run.decision!);
    }
    run.phase = 'VERIFYING';
  }
}

/**
 * One verification with Meta. While the target's comment index cannot answer yet, the claim waits
 * here, on a workflow timer, and looks again: never in an activity slot, which the crawl it waits
 * for needs too. A reviewer's decision ends the wait.
 */
async function verifyWithMetaOnceIndexed(run: ClaimRun): Promise<MetaOutcome> {
  let look: IndexLook | undefined;
  for (;;) {
    const result = await verificationActivities.verifyWithMeta(run.input.claimId, look);
    if (result.kind !== 'look_again') return result;
    look = result.look;
    if (Date.now() - look.waitingSinceMs >= INDEX_WAIT_BUDGET_MS) {
      return {
        kind: 'decided',
        verified: false,
        reason: 'VERIFICATION_UNAVAILABLE',
        detail: `Verification could not be completed: ${result.detail}`,
      };
    }
    if (await condition(() => run.decision !== undefined, result.afterMs, { summary: 'Wait for the comment index' })) {
      return manualOutcome(run.decision!);
    }
  }
}

function manualOutcome(decision: ManualDecision): DecidedOutcome {
  return {
    kind: 'decided',
    verified: decision.approved,
    method: 'MANUAL',
    reason: decision.approved ? 'APPROVED_BY_REVIEW' : 'REJECTED_BY_REVIEW',
    detail: decision.approved ? 'Approved by manual review' : `Rejected by manual review${decision.reason ? `: ${decision.reason}` : ''}`,
  };
}

function joinDetail(first: string | undefined, second: string | undefined): string | undefined {
  return [first, second].filter(Boolean).join('. ') || undefined;
}
