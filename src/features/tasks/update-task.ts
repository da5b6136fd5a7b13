// PATCH /tasks/:taskId: edit a task. A change of what Meta is asked to check (target, platform,
// action, strategy) re-runs the target check on the task as it would be, before anything is written.
import { requestIndexBackfill } from '../../comment-index/request-backfill.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { assessTaskTarget } from './assess-task-target.js';
import { checkPromotionPolicy } from './check-promotion-policy.js';
import type { UpdateTaskInput } from './task-input.js';
import { toTaskView } from './task-view.js';

const CHECKED_FIELDS = ['platform', 'actionType', 'targetId', 'targetUrl', 'verificationStrategy', 'fallbackStrategy'] as const;

export async function updateTask(ctx: TenantContext, { taskId, changes: input }: { taskId: string; changes: UpdateTaskInput }) {
  const { deps, db } = ctx;
  const current = await db.socialMediaTask.findUnique({ where: { id: taskId } });
  if (!current) throw notFound('task');
  const next = { ...current, ...input };
  // A stored task that breaks the rules may still be edited (its title, reward); changing what it
  // rewards must lead to an allowed action.
  const policyWarnings = input.platform !== undefined || input.actionType !== undefined ? checkPromotionPolicy(next) : [];
  const targetWarnings = CHECKED_FIELDS.some((field) => input[field] !== undefined)
    ? await assessTaskTarget(ctx, {
        ...next,
        targetId: next.targetId ?? undefined,
        targetUrl: next.targetUrl ?? undefined,
      })
    : [];
  const task = await db.socialMediaTask.update({ where: { id: current.id }, data: input });
  if (CHECKED_FIELDS.some((field) => input[field] !== undefined)) requestIndexBackfill(deps, task);
  return { ...toTaskView(task), warnings: [...policyWarnings, ...targetWarnings] };
}
