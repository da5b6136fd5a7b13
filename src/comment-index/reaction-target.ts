// Which tasks are decided from a post's indexed reactions: META_API LIKE tasks on a Facebook Page
// post (any reaction is the "like": Facebook replaced likes with reactions, one per person).
// Instagram has no likers list at all, so its LIKE tasks go to the fallback as before.
import type { Database } from '../db/client.js';
import type { IndexTargetKey } from './target-key.js';

export function indexedReactionTarget(task: {
  readonly platform: string;
  readonly actionType: string;
  readonly targetId?: string | null | undefined;
  readonly verificationStrategy?: string;
}): { platform: 'FACEBOOK'; targetId: string } | undefined {
  if (task.verificationStrategy !== undefined && task.verificationStrategy !== 'META_API') return undefined;
  if (task.actionType !== 'LIKE' || task.platform !== 'FACEBOOK') return undefined;
  const targetId = task.targetId?.trim();
  if (!targetId || !/^\d+(?:_\d+)?$/.test(targetId)) return undefined;
  return { platform: 'FACEBOOK', targetId };
}

/** What a crawl of this target must read: reactions when a LIKE task watches it, comments otherwise or also. */
export async function indexNeeds(db: Database, key: IndexTargetKey): Promise<{ comments: boolean; reactions: boolean }> {
  if (key.platform !== 'FACEBOOK') return { comments: true, reactions: false };
  const tasks = await db.socialMediaTask.groupBy({
    by: ['actionType'],
    where: {
      tenantId: key.tenantId,
      platform: 'FACEBOOK',
      targetId: key.targetId,
      verificationStrategy: 'META_API',
      actionType: { in: ['LIKE', 'COMMENT'] },
    },
  });
  const kinds = new Set(tasks.map((task) => task.actionType));
  const reactions = kinds.has('LIKE');
  return { comments: kinds.has('COMMENT') || !reactions, reactions };
}
