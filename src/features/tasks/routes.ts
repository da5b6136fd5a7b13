import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { checkStoredTask } from './check-task.js';
import { createTask } from './create-task.js';
import { listTasks } from './list-tasks.js';
import { updateTask } from './update-task.js';

export function taskRoutes(deps: AppDeps): Router {
  const router = Router();
  // Task targets are checked against Meta.
  const { graph } = deps;
  router.post('/campaigns/:campaignId/tasks', requireRole('tenant_admin'), async (req, res) => {
    const campaignId = pathParam(req, 'campaignId', 'campaign');
    res.status(201).json(await createTask(deps, graph, tenantIdOf(req), campaignId, req.body));
  });
  // End users see the task list too: their campaign site shows it (still only their tenant's),
  // without how each task is verified.
  router.get('/campaigns/:campaignId/tasks', requireRole('tenant_admin', 'end_user'), async (req, res) => {
    const campaignId = pathParam(req, 'campaignId', 'campaign');
    const view = req.principal!.role === 'end_user' ? 'end_user' : 'tenant';
    res.json(await listTasks(scopeToTenant(deps.db, tenantIdOf(req)), campaignId, req.query, view));
  });
  router.patch('/tasks/:taskId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await updateTask(deps, graph, tenantIdOf(req), pathParam(req, 'taskId', 'task'), req.body));
  });
  router.post('/tasks/:taskId/check', requireRole('tenant_admin'), async (req, res) => {
    res.json(await checkStoredTask(deps, graph, tenantIdOf(req), pathParam(req, 'taskId', 'task')));
  });
  return router;
}
