import { Router } from 'express';
import { requireRole } from '../../../http/auth.js';
import type { AppDeps } from '../../../http/deps.js';
import { pathParam } from '../../../http/path-param.js';
import { tenantContext } from '../../../http/use-case-context.js';
import { enforceBudgets } from '../../../http/rate-limit.js';
import { parseInput } from '../../../http/validation.js';
import { noteClaimId } from '../../../observability/log-context.js';
import { claimBudgets } from '../../../rate-limits/api-budgets.js';
import { listClaimsQuery } from '../claim-queries.js';
import { listClaims } from '../list-claims.js';
import { claimSchema } from './claim-input.js';
import { createClaim } from './create-claim.js';
import { getOwnClaim } from './get-own-claim.js';

export function endUserClaimRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/tasks/:taskId/claims', requireRole('end_user'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    // Charged before anything is read: a refused claim costs one statement.
    await enforceBudgets(deps, res, claimBudgets(deps.config, ctx.tenantId, ctx.actor.userId));
    const body = parseInput(claimSchema, req.body ?? {});
    const result = await createClaim(ctx, { ...body, taskId: pathParam(req, 'taskId', 'task') });
    noteClaimId(result.body.completionId); // on this request's log lines and span
    // 202: verification happens later, in the claim's workflow. A repeat is 200 with the same claim.
    res.status(result.created ? 202 : 200).json(result.body);
  });
  router.get('/claims', requireRole('end_user'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    // The caller's own claims only: the user filter comes from the token, after the query's.
    const query = parseInput(listClaimsQuery, { ...(req.query as Record<string, unknown>), userId: ctx.actor.userId }, 'query');
    res.json(await listClaims(ctx, query));
  });
  router.get('/claims/:completionId', requireRole('end_user'), async (req, res) => {
    res.json(await getOwnClaim(tenantContext(deps, req), { claimId: pathParam(req, 'completionId', 'claim') }));
  });
  return router;
}
