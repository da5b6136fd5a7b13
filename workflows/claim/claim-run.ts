// The live state of one claim workflow run, and the signals and query that read or change it.
// Every step of the claim workflow reads and writes this one object, so the state a reader must
// keep in mind is listed here once.
import { setHandler } from '@temporalio/workflow';
import type { NotificationPlan } from '../../activities/claim-types.js';
import type { ClaimStatus, NotificationStatus } from '../../src/domain/statuses.js';
import {
  claimStateQuery,
  manualDecisionSignal,
  notificationSettingsChangedSignal,
  notifyNowSignal,
  type ClaimPhase,
  type ClaimWorkflowInput,
  type ManualDecision,
} from '../definitions.js';

export interface ClaimRun {
  readonly input: ClaimWorkflowInput;
  phase: ClaimPhase;
  status: ClaimStatus;
  notificationStatus: NotificationStatus;
  /** When verification is due (shown while waiting to verify). */
  verifyAt: string | undefined;
  /** When the notification window opens (shown while waiting for it). */
  notBefore: string | undefined;
  detail: string | undefined;
  /** An admin's decision; the first one wins. */
  decision: ManualDecision | undefined;
  /** A signal only wakes the notify loop; ten campaign edits while it is busy cause one re-plan. */
  wakeUp: boolean;
  /** notify-now skips the window for the next send only; it never turns waits into a busy loop. */
  skipWindowOnce: boolean;
  /** A plan made in the same local step as the verification; the notify loop uses it first unless a signal came since. */
  firstPlan: NotificationPlan | undefined;
}

export function startClaimRun(input: ClaimWorkflowInput): ClaimRun {
  const resuming = input.resumeNotifying !== undefined;
  return {
    input,
    phase: resuming ? 'WAITING_FOR_WINDOW' : 'WAITING_TO_VERIFY',
    status: resuming ? 'VERIFIED' : 'PENDING',
    notificationStatus: 'PENDING',
    verifyAt: resuming ? undefined : new Date(Date.now() + input.verifyDelayMs).toISOString(),
    notBefore: undefined,
    detail: undefined,
    decision: undefined,
    wakeUp: false,
    skipWindowOnce: input.resumeNotifying?.skipWindowOnce ?? false,
    firstPlan: undefined,
  };
}

export function listenToClaimSignals(run: ClaimRun): void {
  setHandler(manualDecisionSignal, (incoming) => {
    // The first decision wins; a claim is decided once.
    run.decision ??= incoming;
  });
  setHandler(notificationSettingsChangedSignal, () => {
    run.wakeUp = true;
  });
  setHandler(notifyNowSignal, () => {
    run.skipWindowOnce = true;
    run.wakeUp = true;
  });
  setHandler(claimStateQuery, () => ({
    phase: run.phase,
    status: run.status,
    notificationStatus: run.notificationStatus,
    verifyAt: run.verifyAt,
    notBefore: run.notBefore,
    detail: run.detail,
  }));
}
