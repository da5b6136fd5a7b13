import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { checkStoredTask } from './check-task.js';
import { createTask } from './create-task.js';
import { listTasks } from './list-tasks.js';
import { createTaskSchema, listTasksQuery, updateTaskSchema } from './task-input.js';
import { refuseForeignLinks } from './title-links.js';
import { updateTask } from './update-task.js';

// Task targets are checked against Meta (deps.graph) before a task is stored.
export function taskRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/campaigns/:campaignId/tasks', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const task = parseInput(createTaskSchema, req.body);
    refuseForeignLinks(task.title, deps.config.publicAppUrl);
    res.status(201).json(await createTask(ctx, { campaignId: pathParam(req, 'campaignId', 'campaign'), task }));
  });
  // End users see the task list too (still only their tenant's), in their reduced view.
  router.get('/campaigns/:campaignId/tasks', requireRole('tenant_admin', 'end_user'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const page = parseInput(listTasksQuery, req.query, 'query');
    res.json(await listTasks(ctx, { campaignId: pathParam(req, 'campaignId', 'campaign'), page }));
  });
  router.patch('/tasks/:taskId', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const changes = parseInput(updateTaskSchema, req.body);
    refuseForeignLinks(changes.title, deps.config.publicAppUrl);
    res.json(await updateTask(ctx, { taskId: pathParam(req, 'taskId', 'task'), changes }));
  });
  router.post('/tasks/:taskId/check', requireRole('tenant_admin'), async (req, res) => {
    res.json(await checkStoredTask(tenantContext(deps, req), { taskId: pathParam(req, 'taskId', 'task') }));
  });
  return router;
}
