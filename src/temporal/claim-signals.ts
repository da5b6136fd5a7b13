// Reaching claims that are already waiting: a campaign edit or a reconnected WhatsApp account
// signals every claim whose notification is still ahead, so it re-plans at once instead of
// sleeping on a stale timer. A claim that misses a signal (process died mid-way) still re-plans
// when its timer fires, so signals affect latency, never correctness.
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { manualDecisionSignal, notificationSettingsChangedSignal, notifyNowSignal, type ManualDecision } from '../../workflows/definitions.js';

interface SignalDeps {
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

const NOTIFICATION_AHEAD = ['PENDING', 'WAITING_FOR_WINDOW'] as const;

async function signalEach(deps: SignalDeps, workflowIds: string[]): Promise<number> {
  let signalled = 0;
  for (const workflowId of workflowIds) {
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(notificationSettingsChangedSignal);
      signalled++;
    } catch (error) {
      // Closed in the meantime, or not started yet (the sweeper will start it with current settings).
      deps.logger.debug({ err: error, workflowId }, 'could not signal claim workflow');
    }
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
  await deps.temporal.workflow.getHandle(workflowId).signal(manualDecisionSignal, decision);
}

export async function requestNotifyNow(deps: SignalDeps, workflowId: string): Promise<void> {
  await deps.temporal.workflow.getHandle(workflowId).signal(notifyNowSignal);
}
