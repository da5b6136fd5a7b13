// Starting a claim's workflow, and the sweeper that guarantees no claim is lost.
//
// The claim API writes the completion row first (with workflowStartedAt = null), then starts the
// workflow, then stamps workflowStartedAt. A process that dies between the two leaves a row the
// sweeper finds and starts. The workflow id `claim-{completionId}` makes every start idempotent:
// a duplicate start of a running or finished claim is a no-op, never a second workflow.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { CLAIM_WORKFLOW_TYPE, claimWorkflowId, type ClaimWorkflowInput } from '../../workflows/definitions.js';
import { runPeriodically } from './periodic-sweep.js';
import { CAMPAIGN_ID, CLAIM_STATUS, TENANT_ID } from './search-attributes.js';

interface StarterDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

export interface ClaimToStart {
  readonly id: string;
  readonly tenantId: string;
  readonly campaignId: string;
  readonly status: string;
}

export async function startClaimWorkflow(deps: StarterDeps, claim: ClaimToStart): Promise<void> {
  const { config } = deps;
  const input: ClaimWorkflowInput = {
    completionId: claim.id,
    tenantId: claim.tenantId,
    campaignId: claim.campaignId,
    verifyDelayMs: config.claimVerifyDelayMs,
    manualReviewTimeoutMs: config.manualReviewTimeoutMs,
    credentialRetryWindowMs: config.credentialRetryWindowMs,
    notificationMaxDelayMs: config.notificationMaxDelayMs,
  };
  try {
    await deps.temporal.workflow.start(CLAIM_WORKFLOW_TYPE, {
      workflowId: claimWorkflowId(claim.id),
      taskQueue: config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: TENANT_ID, value: claim.tenantId },
        { key: CAMPAIGN_ID, value: claim.campaignId },
        { key: CLAIM_STATUS, value: claim.status },
      ],
      staticSummary: `Claim ${claim.id}`,
    });
  } catch (error) {
    // A closed run with this id already exists: the claim was processed; nothing to start.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  await deps.db.socialTaskCompletion.updateMany({
    where: { id: claim.id, workflowStartedAt: null },
    data: { workflowStartedAt: new Date() },
  });
}

/** Starts workflows of claims recorded at least `graceMs` ago whose start was never confirmed. */
export async function startUnstartedClaims(deps: StarterDeps, options: { graceMs?: number; limit?: number } = {}): Promise<number> {
  const cutoff = new Date(Date.now() - (options.graceMs ?? 15_000));
  const pending = await deps.db.socialTaskCompletion.findMany({
    where: { workflowStartedAt: null, claimedAt: { lte: cutoff } },
    select: { id: true, tenantId: true, campaignId: true, status: true },
    orderBy: { claimedAt: 'asc' },
    take: options.limit ?? 100,
  });
  let started = 0;
  for (const claim of pending) {
    try {
      await startClaimWorkflow(deps, claim);
      started++;
    } catch (error) {
      deps.logger.warn({ err: error, completionId: claim.id }, 'could not start claim workflow; will retry');
    }
  }
  if (started > 0) deps.logger.info({ started }, 'started claim workflows left unstarted');
  return started;
}

export function startClaimSweeper(deps: StarterDeps, intervalMs = 30_000): { stop(): void } {
  return runPeriodically('claim sweeper', () => startUnstartedClaims(deps), intervalMs, deps.logger);
}
