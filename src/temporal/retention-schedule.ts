// The retention schedule (`retention-prune`): once a day, a pruneRetainedRows run deletes processed
// webhook deliveries and delivery statuses older than RETENTION_DAYS. Created or repaired by the
// worker at start and by `npm run schedules:reconcile`; idempotent by schedule id.
import { ScheduleAlreadyRunning, type Client, type ScheduleDescription } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import { PRUNE_RETAINED_ROWS_WORKFLOW_TYPE } from '../../workflows/definitions.js';
import type { pruneRetainedRows } from '../../workflows/prune-retained-rows.js';

export const RETENTION_SCHEDULE_ID = 'retention-prune';
const EVERY_MS = 24 * 3_600_000;

export async function ensureRetentionSchedule(client: Client, config: AppConfig): Promise<'created' | 'updated' | 'unchanged'> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: PRUNE_RETAINED_ROWS_WORKFLOW_TYPE,
    workflowId: RETENTION_SCHEDULE_ID,
    taskQueue: config.temporal.taskQueue,
    args: [{ retentionDays: config.retentionDays }] as Parameters<typeof pruneRetainedRows>,
    staticSummary: `Delete processed webhook deliveries and delivery statuses older than ${config.retentionDays} days`,
  };
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: EVERY_MS }] },
      action,
      // A missed day is not worth a burst after an outage: the next tick removes the same rows.
      policies: { overlap: 'SKIP', catchupWindow: 3_600_000, pauseOnFailure: false },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
  if (matches(await handle.describe(), config)) return 'unchanged';
  await handle.update((current) => ({ ...current, action }));
  return 'updated';
}

function matches(current: ScheduleDescription, config: AppConfig): boolean {
  const action = current.action;
  if (action.type !== 'startWorkflow') return false;
  const [input] = (action.args ?? []) as [{ retentionDays?: number }?];
  return action.taskQueue === config.temporal.taskQueue && input?.retentionDays === config.retentionDays;
}
