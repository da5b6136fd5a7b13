// One workflow per claim. Its history tells the story an operator needs: the wait before
// verification, what was checked and how, the credit, the wait for the notification window, the send.
// Deterministic sandbox code: all I/O is in activities, all clocks are workflow time.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { isNotificationFinal } from '../src/domain/notification-status.js';
import { decideStatistically } from '../src/domain/statistical-approval.js';
import { CLAIM_STATUS } from '../src/temporal/search-attributes.js';
import { claimActivities, notificationActivities, pacedSendActivities, sendActivities, verificationActivities } from './activity-stubs.js';
import {
  claimStateQuery,
  manualDecisionSignal,
  notificationSettingsChangedSignal,
  notifyNowSignal,
  type ClaimPhase,
  type ClaimWorkflowInput,
  type ManualDecision,
} from './definitions.js';
import type { ClaimSnapshot, VerificationOutcome } from '../activities/claim-types.js';

/** Backoff while the tenant's Meta credentials are rejected: the tenant may fix them within the window. */
const CREDENTIAL_BACKOFF_MS = [5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000];
/** A held notification (account needs reconnecting) re-checks at least this often. */
const HOLD_RECHECK_MS = 60 * 60_000;
/** Default history length past which a claim waiting to notify continues as new. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
/** patched() id: notify-now skips the window for one send instead of every wait. */
const NOTIFY_NOW_SKIPS_WINDOW_ONCE = 'notify-now-skips-window-once';

export async function verifySocialTaskClaim(input: ClaimWorkflowInput): Promise<{ status: string; notificationStatus: string }> {
  let phase: ClaimPhase = input.resumeNotifying ? 'WAITING_FOR_WINDOW' : 'WAITING_TO_VERIFY';
  let status: 'PENDING' | 'VERIFIED' | 'FAILED' = input.resumeNotifying ? 'VERIFIED' : 'PENDING';
  let notificationStatus = 'PENDING';
  let verifyAt: string | undefined = input.resumeNotifying ? undefined : new Date(Date.now() + input.verifyDelayMs).toISOString();
  let notBefore: string | undefined;
  let detail: string | undefined;
  let decision: ManualDecision | undefined;
  // A signal only wakes the notify loop; ten campaign edits while it is busy cause one re-plan.
  let wakeUp = false;
  // notify-now skips the window for the next send only; it never turns waits into a busy loop.
  let skipWindowOnce = input.resumeNotifying?.skipWindowOnce ?? false;

  setHandler(manualDecisionSignal, (incoming) => {
    // The first decision wins; a claim is decided once.
    decision ??= incoming;
  });
  setHandler(notificationSettingsChangedSignal, () => {
    wakeUp = true;
  });
  setHandler(notifyNowSignal, () => {
    skipWindowOnce = true;
    wakeUp = true;
  });
  setHandler(claimStateQuery, () => ({ phase, status, notificationStatus, verifyAt, notBefore, detail }));

  if (!input.resumeNotifying) {
    // 1. Wait before verifying (Meta needs time to show the comment), unless an admin decides first.
    await condition(() => decision !== undefined, input.verifyDelayMs, { summary: 'Wait before verifying (CLAIM_VERIFY_DELAY)' });
    verifyAt = undefined;

    // 2. Verify, unless the claim was already decided (a re-run after a reset, or a manual decision).
    const claim = await claimActivities.loadClaim(input.completionId);
    status = claim.status;
    if (status === 'PENDING') {
      phase = 'VERIFYING';
      const outcome = decision ? manualOutcome(decision) : await verifyOrGiveUp(claim);
      const recorded = await claimActivities.completeVerification(input.completionId, outcome, new Date().toISOString());
      status = recorded.status;
      notificationStatus = recorded.notificationStatus;
      detail = recorded.detail ?? undefined;
      upsertSearchAttributes([{ key: CLAIM_STATUS, value: status }]);
    }
    if (status !== 'VERIFIED') {
      phase = 'DONE';
      return { status, notificationStatus };
    }
    if (notificationStatus === 'PENDING') notificationStatus = claim.notificationStatus;
  }

  // 3. Notify inside the campaign's window.
  await notifyLoop();
  phase = 'DONE';
  return { status, notificationStatus };

  /**
   * Each pass re-reads the campaign, so an edit (signalled by the API) or a wake-up applies the
   * current settings, never a stale plan. Every pass that does not send ends in a durable wait
   * (the window, or an hourly re-check of a held channel) that only a signal cuts short.
   */
  async function notifyLoop(): Promise<void> {
    while (!isFinal(notificationStatus)) {
      await continueAsNewWhenHistoryIsLong();
      // Runs started before notify-now meant "skip the window once" never cleared it (and looped
      // on a held claim); their recorded histories must replay as they ran.
      const notifyNowOnce = patched(NOTIFY_NOW_SKIPS_WINDOW_ONCE);
      wakeUp = false;
      const plan = await notificationActivities.planNotification({
        completionId: input.completionId,
        now: new Date().toISOString(),
        ignoreWindow: skipWindowOnce,
        maxDelayMs: input.notificationMaxDelayMs,
      });
      notificationStatus = plan.notificationStatus;
      notBefore = plan.action === 'wait' ? plan.notBefore : undefined;
      const woken = () => wakeUp || (!notifyNowOnce && skipWindowOnce);
      if (plan.action === 'done') return;
      if (plan.action === 'wait') {
        phase = 'WAITING_FOR_WINDOW';
        await condition(woken, Math.max(1, Date.parse(plan.notBefore) - Date.now()), {
          summary: `Wait for the notification window (${plan.notBefore})`,
        });
        continue;
      }
      if (plan.action === 'hold') {
        phase = 'HELD';
        detail = plan.reason;
        await condition(woken, HOLD_RECHECK_MS, { summary: `Notification held: ${plan.reason}` });
        continue;
      }
      phase = 'NOTIFYING';
      if (notifyNowOnce) skipWindowOnce = false;
      let sent;
      try {
        // Same command either way; only its task queue and fairness key differ (no patch needed).
        const sender = input.sendTaskQueue ? pacedSendActivities(input.sendTaskQueue, plan.channelKey) : sendActivities;
        sent = await sender.sendNotification({ completionId: input.completionId });
      } catch (error) {
        // Retries exhausted (provider down or rate-limited for the whole retry budget).
        if (!(error instanceof ActivityFailure)) throw error;
        notificationStatus = await notificationActivities.markNotificationFailed({
          completionId: input.completionId,
          reason: `sending failed after retries: ${error.cause?.message ?? error.message}`,
        });
        return;
      }
      notificationStatus = sent.notificationStatus;
      // A send that found the account's token rejected leaves the notification held, not failed.
      if (sent.held) {
        phase = 'HELD';
        detail = sent.detail;
        await condition(woken, HOLD_RECHECK_MS, { summary: 'Notification held: channel credentials rejected' });
      }
    }
  }

  /** A claim that waits long (weeks of campaign edits) starts a fresh history, keeping its state. */
  async function continueAsNewWhenHistoryIsLong(): Promise<void> {
    const info = workflowInfo();
    if (info.historyLength < (input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS) && !info.continueAsNewSuggested) return;
    log.info('continuing as new: long history', { completionId: input.completionId, historyLength: info.historyLength });
    await continueAsNew<typeof verifySocialTaskClaim>({ ...input, resumeNotifying: { skipWindowOnce } });
  }

  /** A verification that cannot complete within its retry budget fails the claim with the reason. */
  async function verifyOrGiveUp(claim: ClaimSnapshot): Promise<DecidedOutcome> {
    try {
      return await verify(claim.verificationStrategy, claim.fallbackStrategy, claim.statisticalApprovalRate);
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return {
        kind: 'decided', verified: false, reason: 'VERIFICATION_UNAVAILABLE',
        detail: `Verification could not be completed: ${error.cause?.message ?? error.message}`,
      };
    }
  }

  async function verify(strategy: string, fallback: string, approvalRate: number): Promise<DecidedOutcome> {
    if (strategy === 'META_API') {
      const viaMeta = await verifyWithMetaUntilCredentialsWork();
      if (viaMeta.kind === 'decided') return viaMeta;
      const outcome = await decideBy(fallback, approvalRate);
      return { ...outcome, detail: joinDetail(viaMeta.detail, outcome.detail) };
    }
    return decideBy(strategy, approvalRate);
  }

  async function decideBy(strategy: string, approvalRate: number): Promise<DecidedOutcome> {
    switch (strategy) {
      case 'HONOR_SYSTEM':
        return { kind: 'decided', verified: true, method: 'HONOR_SYSTEM', reason: 'ACCEPTED_ON_HONOR', detail: 'Accepted on the honor system' };
      case 'STATISTICAL': {
        const approved = decideStatistically(input.completionId, approvalRate);
        return {
          kind: 'decided',
          verified: approved,
          method: 'STATISTICAL',
          reason: approved ? 'APPROVED_BY_SAMPLING' : 'NOT_APPROVED_BY_SAMPLING',
          detail: approved
            ? `Approved by statistical sampling (rate ${approvalRate})`
            : `Not approved by statistical sampling (rate ${approvalRate})`,
        };
      }
      case 'MANUAL':
        return awaitManualReview();
      default:
        throw ApplicationFailure.nonRetryable(`unknown verification strategy ${strategy}`, 'UnknownStrategy');
    }
  }

  async function awaitManualReview(): Promise<DecidedOutcome> {
    phase = 'AWAITING_MANUAL_REVIEW';
    await claimActivities.recordPendingDetail(input.completionId, 'Awaiting manual review', 'AWAITING_REVIEW');
    const decided = await condition(() => decision !== undefined, input.manualReviewTimeoutMs, { summary: 'Await manual review' });
    if (decided && decision) return manualOutcome(decision);
    return {
      kind: 'decided',
      verified: false,
      method: 'MANUAL',
      reason: 'REVIEW_EXPIRED',
      detail: `Manual review expired after ${Math.round(input.manualReviewTimeoutMs / 3_600_000)}h without a decision`,
    };
  }

  /** Credential errors keep the claim PENDING and retry with backoff for the configured window. */
  async function verifyWithMetaUntilCredentialsWork(): Promise<DecidedOutcome | Extract<VerificationOutcome, { kind: 'fallback' }>> {
    let firstFailureAt: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const result = await verificationActivities.verifyWithMeta(input.completionId);
      if (result.kind !== 'credentials_rejected') return result;
      firstFailureAt ??= Date.now();
      const elapsed = Date.now() - firstFailureAt;
      if (elapsed >= input.credentialRetryWindowMs) {
        return { kind: 'decided', verified: false, method: result.method, reason: 'CREDENTIALS_REJECTED', detail: `Meta credentials were rejected for ${Math.round(elapsed / 3_600_000)}h: ${result.detail}` };
      }
      phase = 'WAITING_FOR_CREDENTIALS';
      detail = result.detail;
      log.warn('Meta credentials rejected; claim stays pending', { completionId: input.completionId, attempt });
      await claimActivities.recordPendingDetail(input.completionId, `Waiting for valid Meta credentials: ${result.detail}`, 'WAITING_FOR_CREDENTIALS');
      const backoff = Math.min(CREDENTIAL_BACKOFF_MS[Math.min(attempt, CREDENTIAL_BACKOFF_MS.length - 1)]!, input.credentialRetryWindowMs - elapsed);
      if (await condition(() => decision !== undefined, Math.max(1, backoff), { summary: 'Back off: Meta credentials rejected' })) {
        return manualOutcome(decision!);
      }
      phase = 'VERIFYING';
    }
  }
}

type DecidedOutcome = Extract<VerificationOutcome, { kind: 'decided' }>;

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

const isFinal = isNotificationFinal;

