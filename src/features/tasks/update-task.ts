// PATCH /tasks/:taskId: edit a task. A change of what Meta is asked to check (target, platform,
// action, strategy) re-runs the target check on the task as it would be, before anything is written.
import { z } from 'zod';
import { scopeToTenant } from '../../db/tenant-scope.js';
import type { AppDeps } from '../../http/deps.js';
import { notFound } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import { requestIndexBackfill } from '../../comment-index/request-backfill.js';
import type { GraphClient } from '../../integrations/meta/graph-client.js';
import { assessTaskTarget } from './assess-task-target.js';
import { taskFields } from './create-task.js';
import { toTaskView } from './task-view.js';

const { platform, actionType, targetId, targetUrl, title, spinsReward, verificationStrategy, fallbackStrategy, statisticalApprovalRate, requireProofCode } = taskFields;
const updateTaskSchema = z
  .object({
    title: title.optional(),
    platform: platform.optional(),
    actionType: actionType.optional(),
    // null clears the target
    targetId: targetId.nullable().optional(),
    targetUrl: targetUrl.nullable().optional(),
    spinsReward: spinsReward.optional(),
    verificationStrategy: verificationStrategy.unwrap().optional(),
    fallbackStrategy: fallbackStrategy.unwrap().optional(),
    statisticalApprovalRate: statisticalApprovalRate.unwrap().optional(),
    requireProofCode: requireProofCode.unwrap().optional(),
  })
  .strict();

const CHECKED_FIELDS = ['platform', 'actionType', 'targetId', 'targetUrl', 'verificationStrategy', 'fallbackStrategy'] as const;

export async function updateTask(deps: AppDeps, graph: GraphClient, tenantId: string, taskId: string, body: unknown) {
  const db = scopeToTenant(deps.db, tenantId);
  const input = parseInput(updateTaskSchema, body);
  const current = await db.socialMediaTask.findUnique({ where: { id: taskId } });
  if (!current) throw notFound('task');
  const next = { ...current, ...input };
  const warnings = CHECKED_FIELDS.some((field) => input[field] !== undefined)
    ? await assessTaskTarget(deps, graph, tenantId, {
        ...next,
        targetId: next.targetId ?? undefined,
        targetUrl: next.targetUrl ?? undefined,
      })
    : [];
  const task = await db.socialMediaTask.update({ where: { id: current.id }, data: input });
  if (CHECKED_FIELDS.some((field) => input[field] !== undefined)) requestIndexBackfill(deps, task);
  return { ...toTaskView(task), warnings };
}
