// Reaching claims that are already waiting: a campaign edit or a reconnected WhatsApp account
// signals every claim whose notification is still ahead, so it re-plans at once instead of
// sleeping on a stale timer. A claim that misses a signal (process died mid-way) still re-plans
// when its timer fires, so signals affect latency, never correctness.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { NOTIFICATION_AHEAD } from '../domain/statuses.js';
import type { Logger } from '../logger.js';
import { manualDecisionSignal, notificationSettingsChangedSignal, notifyNowSignal, type ManualDecision } from '../../workflows/definitions.js';
import { REQUEST_DEADLINE_MS, withDeadline } from './durable-start.js';

interface SignalDeps {
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

/** Signals in small parallel batches: fast for large campaigns without flooding the frontend. */
const SIGNAL_CONCURRENCY = 16;

/**
 * Signals each workflow, each under a short deadline. Stops at the first batch that finds Temporal
 * unreachable (the claims re-plan when their timers fire) rather than waiting a deadline per claim.
 */
async function signalEach(deps: SignalDeps, workflowIds: string[]): Promise<number> {
  let signalled = 0;
  for (let i = 0; i < workflowIds.length; i += SIGNAL_CONCURRENCY) {
    const batch = workflowIds.slice(i, i + SIGNAL_CONCURRENCY);
    const results = await Promise.allSettled(
      batch.map((workflowId) =>
        withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => deps.temporal.workflow.getHandle(workflowId).signal(notificationSettingsChangedSignal)),
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

export async function signalClaimsOfCampaign(deps: SignalDeps, tenantId: string, campaignId: string): Promise<number> {
  const waiting = await deps.db.socialTaskCompletion.findMany({
    where: { tenantId, campaignId, status: { in: ['PENDING', 'VERIFIED'] }, notificationStatus: { in: [...NOTIFICATION_AHEAD] } },
    select: { workflowId: true },
  });
  return signalEach(deps, waiting.map((row) => row.workflowId));
}

export async function signalClaimsOfTenant(deps: SignalDeps, tenantId: string): Promise<number> {
  const waiting = await deps.db.socialTaskCompletion.findMany({
    where: { tenantId, status: 'VERIFIED', notificationStatus: { in: [...NOTIFICATION_AHEAD] } },
    select: { workflowId: true },
  });
  return signalEach(deps, waiting.map((row) => row.workflowId));
}

export async function sendManualDecision(deps: SignalDeps, workflowId: string, decision: ManualDecision): Promise<void> {
  await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => deps.temporal.workflow.getHandle(workflowId).signal(manualDecisionSignal, decision));
}

export async function requestNotifyNow(deps: SignalDeps, workflowId: string): Promise<void> {
  await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => deps.temporal.workflow.getHandle(workflowId).signal(notifyNowSignal));
}
