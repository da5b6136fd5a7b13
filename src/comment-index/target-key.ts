// Which targets have a comment index, and the entity workflow id of each (defined with the workflow).

import type { IndexPlatform } from '../../workflows/comment-index-definitions.js';

export type { IndexPlatform };

export interface IndexTargetKey {
  readonly tenantId: string;
  readonly platform: IndexPlatform;
  /** IG media id, or FB post id `{page-id}_{post-id}` */
  readonly targetId: string;
}

export { COMMENT_INDEX_WORKFLOW_TYPE, commentIndexWorkflowId } from '../../workflows/comment-index-definitions.js';

/** The task kinds whose claims are decided from the index: comments on a media or Page post. */
export function indexedTarget(task: {
  readonly platform: string;
  readonly actionType: string;
  readonly targetId?: string | null | undefined;
  readonly verificationStrategy?: string;
}): { platform: IndexPlatform; targetId: string } | undefined {
  if (task.verificationStrategy !== undefined && task.verificationStrategy !== 'META_API') return undefined;
  if (task.actionType !== 'COMMENT') return undefined;
  if (task.platform !== 'INSTAGRAM' && task.platform !== 'FACEBOOK') return undefined;
  const targetId = task.targetId?.trim();
  if (!targetId || !/^\d+(?:_\d+)?$/.test(targetId)) return undefined;
  return { platform: task.platform, targetId };
}
