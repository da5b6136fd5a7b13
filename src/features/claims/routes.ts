import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { noteCompletionId } from '../../observability/log-context.js';
import { listCompletions } from '../completions/list-completions.js';
import { createClaim } from './create-claim.js';
import { getOwnClaim } from './get-claim.js';

export function claimRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/tasks/:taskId/claims', requireRole('end_user'), async (req, res) => {
    const principal = { tenantId: tenantIdOf(req), endUserId: req.principal!.userId };
    const result = await createClaim(deps, principal, pathParam(req, 'taskId', 'task'), req.body);
    noteCompletionId(result.body.completionId); // on this request's log lines and span
    // 202: verification happens later, in the claim's workflow. A repeat is 200 with the same claim.
    res.status(result.created ? 202 : 200).json(result.body);
  });
  router.get('/claims', requireRole('end_user'), async (req, res) => {
    // The caller's own claims only: the user filter comes from the token, after the query's.
    const query = { ...(req.query as Record<string, unknown>), userId: req.principal!.userId };
    res.json(await listCompletions(scopeToTenant(deps.db, tenantIdOf(req)), query, 'end_user'));
  });
  router.get('/claims/:completionId', requireRole('end_user'), async (req, res) => {
    const completionId = pathParam(req, 'completionId', 'claim');
    res.json(await getOwnClaim(scopeToTenant(deps.db, tenantIdOf(req)), req.principal!.userId, completionId));
  });
  return router;
}
