import { Router, type Request } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { decideCompletion } from './decide-completion.js';
import { getCompletion } from './get-completion.js';
import { listCompletions } from './list-completions.js';
import { notifyCompletionNow } from './notify-now.js';

const completionIdOf = (req: Request) => pathParam(req, 'completionId', 'completion');

export function completionRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/completions', requireRole('tenant_admin'), async (req, res) => {
    res.json(await listCompletions(scopeToTenant(deps.db, tenantIdOf(req)), req.query));
  });
  router.get('/completions/:completionId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getCompletion(scopeToTenant(deps.db, tenantIdOf(req)), completionIdOf(req)));
  });
  for (const [action, approved] of [['approve', true], ['reject', false]] as const) {
    router.post(`/completions/:completionId/${action}`, requireRole('tenant_admin'), async (req, res) => {
      const decidedBy = req.principal!.userId;
      res.status(202).json(await decideCompletion(deps, tenantIdOf(req), completionIdOf(req), { approved, decidedBy }, req.body));
    });
  }
  router.post('/completions/:completionId/notify-now', requireRole('tenant_admin'), async (req, res) => {
    res.status(202).json(await notifyCompletionNow(deps, tenantIdOf(req), completionIdOf(req)));
  });
  return router;
}
