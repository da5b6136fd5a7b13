// Reaching claims that are already waiting: a campaign edit or a reconnected WhatsApp account
// signals every verified claim whose notification is still ahead, so it re-plans at once instead of
// sleeping on a stale timer. Callers only ask for it (requestReplan: one signal-with-start, so a
// request answers at once whatever the number of claims); the fan-out workflow
// (workflows/replan-waiting-claims.ts) pages through the claims with waitingClaimsPage and signals
// each page (activities/replan.ts). A claim that misses a signal (process died mid-way) still
// re-plans when its timer fires, so signals affect latency, never correctness. Claims not verified
// yet are not told: they plan with the campaign as it is when they are verified.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { manualDecisionSignal, notificationSettingsChangedSignal, notifyNowSignal, type ManualDecision } from '../../workflows/definitions.js';
import {
  REPLAN_WORKFLOW_TYPE,
  replanRequestedSignal,
  replanWorkflowId,
  type ReplanScope,
  type ReplanWaitingClaimsWorkflow,
} from '../../workflows/replan-definitions.js';
import { REQUEST_DEADLINE_MS, withDeadline } from './durable-start.js';
import { TENANT_ID } from './search-attributes.js';

interface SignalDeps {
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

/** Signals in small parallel batches: fast for large campaigns without flooding the frontend. */
const SIGNAL_CONCURRENCY = 16;

/**
 * Signals each workflow, each under a short deadline. Stops at the first batch that finds Temporal
 * unreachable (the claims re-plan when their timers fire) rather than waiting a deadline per claim,
 * and between batches once `stop` is aborted (a superseded attempt must not keep signalling).
 */
export async function signalEach(deps: SignalDeps, workflowIds: readonly string[], stop?: AbortSignal): Promise<number> {
  let signalled = 0;
  for (let i = 0; i < workflowIds.length; i += SIGNAL_CONCURRENCY) {
    stop?.throwIfAborted();
    const batch = workflowIds.slice(i, i + SIGNAL_CONCURRENCY);
    const results = await Promise.allSettled(
      batch.map((workflowId) =>
        withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () =>
          deps.temporal.workflow.getHandle(workflowId).signal(notificationSettingsChangedSignal),
        ),
      ),
    );
    let unreachable: unknown;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') signalled++;
      // Closed in the meantime, or not started yet (the sweeper will start it with current settings).
      else if (result.reason instanceof WorkflowNotFoundError) deps.logger.debug({ workflowId: batch[index] }, 'claim workflow not running');
      else unreachable = result.reason;
    });
    if (unreachable) throw unreachable;
  }
  return signalled;
}

/**
 * Asks the fan-out workflow of `scope` to (re)tell its waiting claims: starts it, or signals the
 * running one, which then makes one more pass. Throws when Temporal cannot be reached in time.
 */
export async function requestReplan(deps: { temporal: Client; config: AppConfig }, scope: ReplanScope): Promise<void> {
  await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () =>
    deps.temporal.workflow.signalWithStart<ReplanWaitingClaimsWorkflow>(REPLAN_WORKFLOW_TYPE, {
      workflowId: replanWorkflowId(scope),
      taskQueue: deps.config.temporal.taskQueue,
      args: [scope],
      signal: replanRequestedSignal,
      typedSearchAttributes: [{ key: TENANT_ID, value: scope.tenantId }],
      staticSummary:
        scope.kind === 'campaign' ? `Re-plan the waiting claims of campaign ${scope.campaignId}` : 'Re-plan the waiting claims of the tenant',
    }),
  );
}

/** Where a fan-out is: the last claim it signalled, in the order of the waiting-to-notify index. */
export interface WaitingCursor {
  readonly campaignId: string;
  readonly id: string;
}

export interface WaitingClaim extends WaitingCursor {
  readonly workflowId: string;
}

/** Claims per page of the fan-out (one query, then that many signals; the cursor moves after each). */
export const WAITING_PAGE_SIZE = 500;

// Literally the predicate of the partial index SocialTaskCompletion_waiting_to_notify_idx, so the
// planner can use it: verified claims whose notification is still ahead (NOTIFICATION_AHEAD).
const WAITING_TO_NOTIFY = Prisma.raw(`status = 'VERIFIED' AND "notificationStatus" IN ('PENDING', 'WAITING_FOR_WINDOW')`);

/** The next page of the scope's verified claims still waiting to be notified, after `after`. */
export function waitingClaimsPage(
  db: Database,
  scope: ReplanScope,
  after: WaitingCursor | undefined,
  limit = WAITING_PAGE_SIZE,
): Promise<WaitingClaim[]> {
  const inScope =
    scope.kind === 'campaign'
      ? Prisma.sql`"tenantId" = ${scope.tenantId} AND "campaignId" = ${scope.campaignId}`
      : Prisma.sql`"tenantId" = ${scope.tenantId}`;
  const beyond = after ? Prisma.sql`AND ("campaignId", id) > (${after.campaignId}, ${after.id})` : Prisma.empty;
  return db.$queryRaw<WaitingClaim[]>(Prisma.sql`
    SELECT id, "campaignId", "workflowId" FROM "SocialTaskCompletion"
     WHERE ${inScope} AND ${WAITING_TO_NOTIFY} ${beyond}
     ORDER BY "campaignId", id
     LIMIT ${limit}`);
}

export async function sendManualDecision(deps: SignalDeps, workflowId: string, decision: ManualDecision): Promise<void> {
  await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => deps.temporal.workflow.getHandle(workflowId).signal(manualDecisionSignal, decision));
}

export async function requestNotifyNow(deps: SignalDeps, workflowId: string): Promise<void> {
  await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => deps.temporal.workflow.getHandle(workflowId).signal(notifyNowSignal));
}
