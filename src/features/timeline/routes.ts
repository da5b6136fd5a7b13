// A claim's timeline: the tenant admin's full form, and the end user's reduced form of their own claim.
import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { loadTimeline } from './load-timeline.js';

export function timelineRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/completions/:completionId/timeline', requireRole('tenant_admin'), async (req, res) => {
    const id = pathParam(req, 'completionId', 'completion');
    res.json(await loadTimeline(deps, scopeToTenant(deps.db, tenantIdOf(req)), { id }, 'tenant_admin'));
  });
  router.get('/claims/:completionId/timeline', requireRole('end_user'), async (req, res) => {
    const id = pathParam(req, 'completionId', 'claim');
    // Own claims only: the user filter comes from the token.
    res.json(await loadTimeline(deps, scopeToTenant(deps.db, tenantIdOf(req)), { id, userId: req.principal!.userId }, 'end_user'));
  });
  return router;
}
