import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { createTenant } from './create-tenant.js';

export function tenantRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/tenants', requireRole('platform_admin'), async (req, res) => {
    res.status(201).json(await createTenant(deps.db, req.body));
  });
  return router;
}
