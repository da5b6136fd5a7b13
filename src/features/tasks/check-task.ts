// POST /tasks/:taskId/check: re-runs Meta's check of a stored task now (tokens change).
import { scopeToTenant } from '../../db/tenant-scope.js';
import type { AppDeps } from '../../http/deps.js';
import { notFound } from '../../http/errors.js';
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { checkTask } from './assess-task-target.js';

export async function checkStoredTask(deps: AppDeps, graph: GraphClient, tenantId: string, taskId: string) {
  const task = await scopeToTenant(deps.db, tenantId).socialMediaTask.findUnique({ where: { id: taskId } });
  if (!task) throw notFound('task');
  const check = await checkTask(deps, graph, tenantId, {
    ...task,
    targetId: task.targetId ?? undefined,
    targetUrl: task.targetUrl ?? undefined,
  });
  return { readable: check.readable, reason: check.reason, fallback: check.fallback, outcome: check.outcome };
}
