// A claim's timeline: the tenant admin's full form, and the end user's reduced form of their own
// claim (loadTimeline picks both by the token's role).
import { Router, type Response } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { enforceBudgets } from '../../http/rate-limit.js';
import { tenantContext, type TenantContext } from '../../http/use-case-context.js';
import { timelineReadBudgets } from '../../rate-limits/api-budgets.js';
import { loadTimeline } from './load-timeline.js';

export function timelineRoutes(deps: AppDeps): Router {
  const router = Router();
  // Each read is a Temporal query and a history fetch: budgeted per caller (the token's subject).
  const budgeted = async (ctx: TenantContext, res: Response) =>
    enforceBudgets(deps, res, timelineReadBudgets(deps.config, ctx.tenantId, ctx.actor.userId));
  router.get('/completions/:completionId/timeline', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    await budgeted(ctx, res);
    res.json(await loadTimeline(ctx, { claimId: pathParam(req, 'completionId', 'completion') }));
  });
  router.get('/claims/:completionId/timeline', requireRole('end_user'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    await budgeted(ctx, res);
    res.json(await loadTimeline(ctx, { claimId: pathParam(req, 'completionId', 'claim') }));
  });
  return router;
}
