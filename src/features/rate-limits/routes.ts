import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { tenantContext } from '../../http/use-case-context.js';
import { getRateLimits } from './get-rate-limits.js';

export function rateLimitRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/tenant/rate-limits', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getRateLimits(tenantContext(deps, req)));
  });
  return router;
}
