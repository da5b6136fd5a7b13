import { Router, type Request } from 'express';
import { requireRole } from '../../../http/auth.js';
import type { AppDeps } from '../../../http/deps.js';
import { pathParam } from '../../../http/path-param.js';
import { tenantContext } from '../../../http/use-case-context.js';
import { parseInput } from '../../../http/validation.js';
import { decisionSchema, listClaimsQuery } from '../claim-queries.js';
import { decideClaim } from './decide-claim.js';
import { exportClaims } from './export-claims.js';
import { exportClaimsQuery } from './export-input.js';
import { getClaimView } from './get-claim.js';
import { listClaims } from '../list-claims.js';
import { notifyClaimNow } from './notify-now.js';
import { retryClaim } from './retry-claim.js';

const claimIdOf = (req: Request) => pathParam(req, 'completionId', 'completion');

export function tenantAdminClaimRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/completions', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await listClaims(ctx, parseInput(listClaimsQuery, req.query, 'query')));
  });
  // Before /completions/:completionId, which would take "export" for an id.
  router.get('/completions/export', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    await exportClaims(ctx, parseInput(exportClaimsQuery, req.query, 'query'), res);
  });
  router.get('/completions/:completionId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getClaimView(tenantContext(deps, req), { claimId: claimIdOf(req) }));
  });
  for (const [action, approved] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    router.post(`/completions/:completionId/${action}`, requireRole('tenant_admin'), async (req, res) => {
      const ctx = tenantContext(deps, req);
      // An approve with no body at all is the common case.
      const { reason } = parseInput(decisionSchema, req.body ?? {});
      res.status(202).json(await decideClaim(ctx, { claimId: claimIdOf(req), approved, reason }));
    });
  }
  router.post('/completions/:completionId/notify-now', requireRole('tenant_admin'), async (req, res) => {
    res.status(202).json(await notifyClaimNow(tenantContext(deps, req), { claimId: claimIdOf(req) }));
  });
  router.post('/completions/:completionId/retry', requireRole('tenant_admin'), async (req, res) => {
    res.status(202).json(await retryClaim(tenantContext(deps, req), { claimId: claimIdOf(req) }));
  });
  return router;
}
