import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { jwtSettingsOf, requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { createEndUser } from './create-end-user.js';
import { createEndUserSession } from './create-session.js';
import { getEndUserWithAudit } from './get-end-user.js';
import { updateEndUser } from './update-end-user.js';

export function endUserRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/end-users', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    res.status(201).json(await createEndUser(deps.db, tenantId, req.body));
  });
  router.get('/end-users/:endUserId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getEndUserWithAudit(deps.db, tenantIdOf(req), pathParam(req, 'endUserId', 'end user')));
  });
  router.patch('/end-users/:endUserId', requireRole('tenant_admin'), async (req, res) => {
    const principal = { tenantId: tenantIdOf(req), actorId: req.principal!.userId };
    res.json(await updateEndUser(deps.db, principal, pathParam(req, 'endUserId', 'end user'), req.body));
  });
  router.post('/end-users/:endUserId/session', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    const endUserId = pathParam(req, 'endUserId', 'end user');
    const session = await createEndUserSession(scopeToTenant(deps.db, tenantId), tenantId, endUserId, jwtSettingsOf(deps.config));
    // A bearer credential: no cache may keep it.
    res.setHeader('cache-control', 'no-store');
    res.status(201).json(session);
  });
  return router;
}
