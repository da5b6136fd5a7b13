// Every post a META_API comment (or Facebook LIKE) task names is watched: crawled in full at once,
// then kept fresh for its claims, with the tenant's token or the platform's shared one. A tenant
// may watch at most MAX_WATCHED_TARGETS_PER_TENANT distinct posts, so nobody can spend a shared
// token's Meta budget (and push other tenants' claims into waiting) by creating tasks by the
// thousand. A task on a post the tenant already watches costs nothing and is always allowed.
import { indexedReactionTarget } from '../../comment-index/reaction-target.js';
import { indexedTarget } from '../../comment-index/target-key.js';
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';

type WatchingTask = Parameters<typeof indexedTarget>[0];

const watchedBy = (task: WatchingTask) => indexedTarget(task) ?? indexedReactionTarget(task);

/** 422 WATCHED_TARGETS_LIMIT when `task` would add a watched post beyond the tenant's limit. */
export async function refuseBeyondWatchedTargetLimit(ctx: TenantContext, task: WatchingTask): Promise<void> {
  const target = watchedBy(task);
  if (!target) return;
  const limit = ctx.deps.config.maxWatchedTargetsPerTenant;
  const groups = await ctx.db.socialMediaTask.groupBy({
    by: ['platform', 'actionType', 'targetId'],
    where: { verificationStrategy: 'META_API', actionType: { in: ['COMMENT', 'LIKE'] }, targetId: { not: null } },
  });
  const watched = new Set<string>();
  for (const group of groups) {
    const each = watchedBy({ ...group, verificationStrategy: 'META_API' });
    if (each) watched.add(`${each.platform}:${each.targetId}`);
  }
  if (watched.has(`${target.platform}:${target.targetId}`) || watched.size < limit) return;
  throw new AppError(
    'WATCHED_TARGETS_LIMIT',
    `this tenant already watches ${watched.size} posts, the limit; remove tasks or use a post already watched`,
    {
      field: 'targetId',
      limit,
    },
  );
}
