// Runs the Meta check of a task's target before it is stored (create, or an edit of its target or
// strategy) and turns the answer into the API's: a malformed target is 422 naming the field, a
// target Meta refuses to read with the credentials that would verify it is 422
// TASK_TARGET_UNREADABLE, and a task whose claims the fallback strategy will decide is stored with
// `warnings` saying so.
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { loadMetaCredentialSources } from '../../verification/credential-sources.js';
import { checkTaskTarget, type CheckableTask, type TargetCheck } from '../../verification/task-target-check.js';
import { refuseBeyondWatchedTargetLimit } from './watched-targets.js';

export interface TaskWarning {
  readonly code: 'ACTION_NOT_CHECKABLE' | 'NO_META_CREDENTIALS' | 'TARGET_CHECK_UNAVAILABLE';
  readonly message: string;
  /** The strategy that will decide claims */
  readonly fallback: string;
}

export async function checkTask(ctx: TenantContext, task: CheckableTask): Promise<TargetCheck> {
  const sources = await loadMetaCredentialSources(ctx.deps.db, ctx.deps.secrets, ctx.tenantId);
  return checkTaskTarget(ctx.deps.graph, sources, task);
}

/** Throws the 422s; returns the warnings to answer with the stored task. */
export async function assessTaskTarget(ctx: TenantContext, task: CheckableTask): Promise<TaskWarning[]> {
  if (task.verificationStrategy !== 'META_API') return [];
  await refuseBeyondWatchedTargetLimit(ctx, task);
  const check = await checkTask(ctx, task);
  const warn = (code: TaskWarning['code']): TaskWarning[] => [
    { code, message: `${check.reason}; the ${task.fallbackStrategy} fallback will decide claims`, fallback: task.fallbackStrategy },
  ];
  switch (check.outcome) {
    case 'readable':
    case 'not_meta':
      return [];
    case 'malformed':
      throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'targetId', message: check.reason }]);
    case 'unreadable':
      throw new AppError('TASK_TARGET_UNREADABLE', "Meta cannot read the task's target with the credentials that would verify its claims", {
        field: 'targetId',
        reason: check.reason,
      });
    case 'uncheckable':
      return warn('ACTION_NOT_CHECKABLE');
    case 'no_credentials':
      return warn('NO_META_CREDENTIALS');
    case 'unavailable':
      return warn('TARGET_CHECK_UNAVAILABLE');
  }
}
