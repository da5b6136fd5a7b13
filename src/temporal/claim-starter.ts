// Starting a claim's workflow, and the sweeper that guarantees no claim is lost.
//
// The claim API writes the claim row first (with workflowStartedAt = null), then starts the
// workflow, then stamps workflowStartedAt. A process that dies between the two leaves a row the
// sweeper finds and starts (src/temporal/durable-start.ts). The workflow id `claim-{claimId}`
// makes every start idempotent: a duplicate start of a running or finished claim is a no-op.
import { Prisma } from '../generated/prisma/client.js';
import { CLAIM_WORKFLOW_TYPE, claimWorkflowId, type ClaimWorkflow, type ClaimWorkflowInput } from '../../workflows/definitions.js';
import {
  leaseUnstarted,
  REQUEST_DEADLINE_MS,
  startIdempotently,
  startSweeper,
  sweepUnstarted,
  type DurableStartKind,
  type StarterDeps,
} from './durable-start.js';
import { CAMPAIGN_ID, CLAIM_STATUS, TENANT_ID } from './search-attributes.js';

export interface ClaimToStart {
  readonly id: string;
  readonly tenantId: string;
  readonly campaignId: string;
  readonly status: string;
}

/**
 * A new run of a claim whose previous run failed or was terminated (claim-restart.ts): it resumes
 * from the row, at the notify loop when the claim is already verified, after what is left of the
 * verification delay otherwise.
 */
export interface ClaimRestart {
  readonly resumeNotifying: boolean;
  readonly verifyDelayMs: number;
}

/** Starts (or joins) the claim's workflow and stamps the row. Throws when Temporal cannot be reached in time. */
export async function startClaimWorkflow(
  deps: StarterDeps,
  claim: ClaimToStart,
  options: { deadlineMs?: number; restart?: ClaimRestart } = {},
): Promise<void> {
  const { config } = deps;
  const { restart } = options;
  const input: ClaimWorkflowInput = {
    claimId: claim.id,
    tenantId: claim.tenantId,
    campaignId: claim.campaignId,
    verifyDelayMs: restart?.verifyDelayMs ?? config.claimVerifyDelayMs,
    manualReviewTimeoutMs: config.manualReviewTimeoutMs,
    credentialRetryWindowMs: config.credentialRetryWindowMs,
    notificationMaxDelayMs: config.notificationMaxDelayMs,
    sendTaskQueue: config.temporal.sendTaskQueue,
    ...(restart?.resumeNotifying ? { resumeNotifying: { skipWindowOnce: false } } : {}),
  };
  // By type name, typed by the workflow function: the API process does not load workflow code.
  await startIdempotently(deps.temporal, options.deadlineMs ?? REQUEST_DEADLINE_MS, () =>
    deps.temporal.workflow.start<ClaimWorkflow>(CLAIM_WORKFLOW_TYPE, {
      workflowId: claimWorkflowId(claim.id),
      taskQueue: config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A first start never repeats a closed run; a restart may follow only a run that failed,
      // was terminated, cancelled or timed out (a completed claim is never run again).
      workflowIdReusePolicy: restart ? 'ALLOW_DUPLICATE_FAILED_ONLY' : 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: TENANT_ID, value: claim.tenantId },
        { key: CAMPAIGN_ID, value: claim.campaignId },
        { key: CLAIM_STATUS, value: claim.status },
      ],
      staticSummary: `Claim ${claim.id}`,
    }),
  );
  await deps.db.claim.updateMany({
    where: { id: claim.id, workflowStartedAt: null },
    data: { workflowStartedAt: new Date(), startLeaseUntil: null },
  });
}

/** Claims whose workflow start was never confirmed. */
export const unstartedClaims: DurableStartKind<ClaimToStart> = {
  name: 'claim',
  lease: (db, options) =>
    leaseUnstarted<ClaimToStart>(
      db,
      {
        table: 'SocialTaskCompletion',
        unstarted: Prisma.sql`"workflowStartedAt" IS NULL`,
        writtenAt: 'claimedAt',
        returning: Prisma.sql`t.id, t."tenantId", t."campaignId", t.status::text AS status`,
      },
      options,
    ),
  async start(deps, claim, deadlineMs) {
    // A closed run with this id means the claim was processed: nothing to start, only to stamp.
    await startClaimWorkflow(deps, claim, { deadlineMs });
    return 'started';
  },
};

/** How old an unstarted claim must be before the sweeper starts it (the request path has had its chance). */
export const CLAIM_START_GRACE_MS = 15_000;

/** Starts workflows of claims recorded at least `graceMs` ago whose start was never confirmed. */
export function startUnstartedClaims(deps: StarterDeps, options: { graceMs?: number; batchSize?: number } = {}): Promise<number> {
  return sweepUnstarted(deps, unstartedClaims, {
    graceMs: options.graceMs ?? CLAIM_START_GRACE_MS,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
}

export function startClaimSweeper(deps: StarterDeps, intervalMs = 30_000): { stop(): void } {
  return startSweeper(deps, unstartedClaims, { graceMs: CLAIM_START_GRACE_MS, intervalMs });
}
