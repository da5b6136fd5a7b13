// One run per tick of the retention schedule (`retention-prune`): delete processed webhook
// deliveries and delivery statuses older than RETENTION_DAYS. The cutoff is computed from the
// workflow's clock and recorded in the history, so an operator sees what a run removed.
import type { PruneResult } from '../activities/retention.js';
import { retentionActivities } from './activity-stubs.js';

export interface PruneRetainedRowsInput {
  readonly retentionDays: number;
}

export async function pruneRetainedRows(input: PruneRetainedRowsInput): Promise<PruneResult> {
  return retentionActivities.pruneRetainedRows({ retentionDays: input.retentionDays, now: new Date().toISOString() });
}
