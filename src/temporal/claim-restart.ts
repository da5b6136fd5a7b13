// A claim whose workflow failed or was terminated (a bug, an operator's terminate, the history
// limit) would stay where its row is forever: PENDING, or VERIFIED with its notification never
// sent. This restarts it under ALLOW_DUPLICATE_FAILED_ONLY (a completed claim can never run again),
// and the new run resumes from what the row says: a claim already verified goes straight to the
// notify loop, whose planner turns a send stamp left by the dead run into UNKNOWN, never a resend.
//
// Two ways in: an admin (POST /completions/:id/retry) and the sweeper below, which lists claim runs
// that closed badly in Temporal's visibility and restarts those whose row still has work to do.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { isNotificationFinal, type ClaimStatus, type NotificationStatus } from '../domain/statuses.js';
import { CLAIM_WORKFLOW_TYPE, claimWorkflowId } from '../../workflows/definitions.js';
import { type ClaimToStart, startClaimWorkflow } from './claim-starter.js';
import { type StarterDeps, SWEEP_DEADLINE_MS, withDeadline } from './durable-start.js';
import { runPeriodically } from './periodic-sweep.js';

export interface RestartableClaim extends ClaimToStart {
  readonly status: ClaimStatus;
  readonly notificationStatus: NotificationStatus;
  readonly claimedAt: Date;
}

export type RestartOutcome =
  /** A new run was started (or the never-started claim was started). */
  | 'restarted'
  /** A run is in progress: nothing to restart. */
  | 'running'
  /** The last run completed: the claim was processed. */
  | 'completed'
  /** The row has nothing left to do (FAILED, or notified). */
  | 'nothing_to_do';

const BADLY_CLOSED = new Set(['FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT']);
/** A restarted claim's wait before verifying is never zero (a zero timeout would mean no timeout). */
const MIN_VERIFY_DELAY_MS = 1_000;

/** Whether the row still has work for a workflow: a decision, or a notification to send or resolve. */
export function hasWorkLeft(claim: Pick<RestartableClaim, 'status' | 'notificationStatus'>): boolean {
  if (claim.status === 'PENDING') return true;
  return claim.status === 'VERIFIED' && !isNotificationFinal(claim.notificationStatus);
}

/** Restarts the claim's workflow when its last run closed badly and its row has work left. */
export async function restartClaimWorkflow(deps: StarterDeps, claim: RestartableClaim, deadlineMs = SWEEP_DEADLINE_MS): Promise<RestartOutcome> {
  if (!hasWorkLeft(claim)) return 'nothing_to_do';
  let status: string;
  try {
    const description = await withDeadline(deps.temporal, deadlineMs, () => deps.temporal.workflow.getHandle(claimWorkflowId(claim.id)).describe());
    status = description.status.name;
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    status = 'NOT_STARTED';
  }
  if (status === 'RUNNING') return 'running';
  if (status === 'NOT_STARTED') {
    await startClaimWorkflow(deps, claim, { deadlineMs });
  } else if (BADLY_CLOSED.has(status)) {
    const restart = {
      resumeNotifying: claim.status === 'VERIFIED',
      // What is left of the wait before verifying (Meta needs time to show the comment).
      verifyDelayMs: Math.max(MIN_VERIFY_DELAY_MS, claim.claimedAt.getTime() + deps.config.claimVerifyDelayMs - Date.now()),
    };
    await startClaimWorkflow(deps, claim, { deadlineMs, restart });
  } else {
    return 'completed';
  }
  return 'restarted';
}

/** A claim whose runs keep failing is left to an operator after this many failed runs in the window. */
export const MAX_AUTOMATIC_RESTARTS = 3;
/** How far back the sweeper looks for claim runs that closed badly. */
export const RESTART_LOOKBACK_MS = 7 * 24 * 60 * 60_000;

/**
 * One pass: claim runs that failed, were terminated, cancelled or timed out within the lookback,
 * restarted when their row has work left and no newer run exists. Returns how many were restarted.
 */
export async function restartFailedClaims(deps: StarterDeps & { db: Database }, options: { lookbackMs?: number } = {}): Promise<number> {
  const since = new Date(Date.now() - (options.lookbackMs ?? RESTART_LOOKBACK_MS)).toISOString();
  const badly = "ExecutionStatus IN ('Failed', 'Terminated', 'Canceled', 'TimedOut')";
  const query = `WorkflowType = '${CLAIM_WORKFLOW_TYPE}' AND CloseTime > '${since}' AND ${badly}`;
  const failedRuns = new Map<string, number>();
  for await (const execution of deps.temporal.workflow.list({ query })) {
    failedRuns.set(execution.workflowId, (failedRuns.get(execution.workflowId) ?? 0) + 1);
  }
  let restarted = 0;
  for (const [workflowId, failures] of failedRuns) {
    const claimId = workflowId.replace(/^claim-/, '');
    if (failures >= MAX_AUTOMATIC_RESTARTS) {
      deps.logger.warn(
        { completionId: claimId, failures },
        'claim workflow keeps failing; not restarted automatically (POST /completions/:id/retry)',
      );
      continue;
    }
    const claim = await deps.db.claim.findUnique({
      where: { id: claimId },
      select: { id: true, tenantId: true, campaignId: true, status: true, notificationStatus: true, claimedAt: true },
    });
    if (!claim) continue;
    try {
      if ((await restartClaimWorkflow(deps, claim)) === 'restarted') restarted++;
    } catch (error) {
      deps.logger.warn({ err: error, completionId: claimId }, 'could not restart claim workflow; will retry');
    }
  }
  if (restarted > 0) deps.logger.info({ restarted }, 'restarted claim workflows that had failed or were terminated');
  return restarted;
}

export function startFailedClaimSweeper(deps: StarterDeps & { db: Database }, intervalMs = 5 * 60_000): { stop(): void } {
  return runPeriodically('failed-claim sweeper', () => restartFailedClaims(deps), intervalMs, deps.logger);
}
