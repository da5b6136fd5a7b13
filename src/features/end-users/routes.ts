import { Router, type Request } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { createEndUser } from './create-end-user.js';
import { createEndUserSession } from './create-session.js';
import { createEndUserSchema, updateEndUserSchema } from './end-user-input.js';
import { eraseEndUser } from './erase-end-user.js';
import { exportEndUser } from './export-end-user.js';
import { getEndUserWithAudit } from './get-end-user.js';
import { updateEndUser } from './update-end-user.js';

const endUserIdOf = (req: Request) => pathParam(req, 'endUserId', 'end user');

export function endUserRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/end-users', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.status(201).json(await createEndUser(ctx, parseInput(createEndUserSchema, req.body)));
  });
  router.get('/end-users/:endUserId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getEndUserWithAudit(tenantContext(deps, req), { endUserId: endUserIdOf(req) }));
  });
  router.patch('/end-users/:endUserId', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const changes = parseInput(updateEndUserSchema, req.body);
    res.json(await updateEndUser(ctx, { endUserId: endUserIdOf(req), changes }));
  });
  router.get('/end-users/:endUserId/export', requireRole('tenant_admin'), async (req, res) => {
    const body = await exportEndUser(tenantContext(deps, req), { endUserId: endUserIdOf(req) });
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-disposition', `attachment; filename="end-user-${body.profile.id}.json"`);
    res.json(body);
  });
  // Erasure: 204 whether this request erased the user or an earlier one had (the result is the same).
  router.delete('/end-users/:endUserId', requireRole('tenant_admin'), async (req, res) => {
    await eraseEndUser(tenantContext(deps, req), { endUserId: endUserIdOf(req) });
    res.status(204).end();
  });
  router.post('/end-users/:endUserId/session', requireRole('tenant_admin'), async (req, res) => {
    const session = await createEndUserSession(tenantContext(deps, req), { endUserId: endUserIdOf(req) });
    // A bearer credential: no cache may keep it.
    res.setHeader('cache-control', 'no-store');
    res.status(201).json(session);
  });
  return router;
}
