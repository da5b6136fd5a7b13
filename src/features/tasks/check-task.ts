// POST /tasks/:taskId/check: re-runs Meta's check of a stored task now (tokens change).
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { checkTask } from './assess-task-target.js';

export async function checkStoredTask(ctx: TenantContext, input: { taskId: string }) {
  const task = await ctx.db.socialMediaTask.findUnique({ where: { id: input.taskId } });
  if (!task) throw notFound('task');
  const check = await checkTask(ctx, {
    ...task,
    targetId: task.targetId ?? undefined,
    targetUrl: task.targetUrl ?? undefined,
  });
  return { readable: check.readable, reason: check.reason, fallback: check.fallback, outcome: check.outcome };
}
