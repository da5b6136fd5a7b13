import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { platformContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { createTenant } from './create-tenant.js';
import { createTenantSchema, updateTenantSchema } from './tenant-input.js';
import { updateTenant } from './update-tenant.js';

export function tenantRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/tenants', requireRole('platform_admin'), async (req, res) => {
    const ctx = platformContext(deps, req);
    res.status(201).json(await createTenant(ctx, parseInput(createTenantSchema, req.body)));
  });
  router.patch('/tenants/:tenantId', requireRole('platform_admin'), async (req, res) => {
    const ctx = platformContext(deps, req);
    const changes = parseInput(updateTenantSchema, req.body);
    res.json(await updateTenant(ctx, { tenantId: pathParam(req, 'tenantId', 'tenant'), changes }));
  });
  return router;
}
