// A claim's timeline: the tenant admin's full form, and the end user's reduced form of their own
// claim (loadTimeline picks both by the token's role).
import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { tenantContext } from '../../http/use-case-context.js';
import { loadTimeline } from './load-timeline.js';

export function timelineRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/completions/:completionId/timeline', requireRole('tenant_admin'), async (req, res) => {
    res.json(await loadTimeline(tenantContext(deps, req), { completionId: pathParam(req, 'completionId', 'completion') }));
  });
  router.get('/claims/:completionId/timeline', requireRole('end_user'), async (req, res) => {
    res.json(await loadTimeline(tenantContext(deps, req), { completionId: pathParam(req, 'completionId', 'claim') }));
  });
  return router;
}
