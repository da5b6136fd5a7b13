import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { createTask } from './create-task.js';
import { listTasks } from './list-tasks.js';

export function taskRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/campaigns/:campaignId/tasks', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    const campaignId = pathParam(req, 'campaignId', 'campaign');
    res.status(201).json(await createTask(scopeToTenant(deps.db, tenantId), tenantId, campaignId, req.body));
  });
  // End users see the task list too: their campaign site shows it (still only their tenant's).
  router.get('/campaigns/:campaignId/tasks', requireRole('tenant_admin', 'end_user'), async (req, res) => {
    const campaignId = pathParam(req, 'campaignId', 'campaign');
    res.json(await listTasks(scopeToTenant(deps.db, tenantIdOf(req)), campaignId, req.query));
  });
  return router;
}
