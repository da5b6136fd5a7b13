// A META_API comment task (or Facebook LIKE task) that is created, or whose target changes, starts its target's index
// at once: the first crawl pages the whole history (the backfill), so the claims that follow find
// their comments in the database. Best effort: if Temporal cannot be reached now, the first claim
// asks for the same crawl.
import type { AppDeps } from '../http/deps.js';
import { requestFreshness } from './request-freshness.js';
import { indexedReactionTarget } from './reaction-target.js';
import { indexedTarget } from './target-key.js';

export function requestIndexBackfill(
  deps: Pick<AppDeps, 'config' | 'temporal' | 'logger'>,
  task: { tenantId: string; platform: string; actionType: string; targetId: string | null; verificationStrategy: string },
): void {
  const target = indexedTarget(task) ?? indexedReactionTarget(task);
  if (!target) return;
  const key = { tenantId: task.tenantId, ...target };
  const requester = { temporal: deps.temporal, taskQueue: deps.config.temporal.taskQueue, coalesceMs: deps.config.commentIndex.coalesceMs };
  requestFreshness(requester, key, new Date()).catch((error: unknown) => {
    deps.logger.warn(
      { err: error, tenantId: key.tenantId, targetId: key.targetId },
      'could not start the comment index backfill; the first claim will',
    );
  });
}
