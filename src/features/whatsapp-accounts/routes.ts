import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { disconnectAccount } from './disconnect-account.js';
import { listAccounts } from './list-accounts.js';
import { listTemplates } from './list-templates.js';
import { sendTestMessage } from './send-test-message.js';

export function whatsappAccountRoutes(deps: AppDeps): Router {
  const { graph } = deps;
  const router = Router();
  const admin = requireRole('tenant_admin');
  const scoped = (tenantId: string) => ({ db: scopeToTenant(deps.db, tenantId), secrets: deps.secrets, graph });

  router.get('/whatsapp/accounts', admin, async (req, res) => {
    res.json(await listAccounts(scopeToTenant(deps.db, tenantIdOf(req))));
  });
  router.delete('/whatsapp/accounts/:id', admin, async (req, res) => {
    res.json(await disconnectAccount(deps, tenantIdOf(req), String(req.params.id)));
  });
  router.post('/whatsapp/accounts/:id/test-message', admin, async (req, res) => {
    res.json(await sendTestMessage(scoped(tenantIdOf(req)), String(req.params.id), req.body));
  });
  router.get('/whatsapp/accounts/:id/templates', admin, async (req, res) => {
    res.json(await listTemplates(scoped(tenantIdOf(req)), String(req.params.id)));
  });
  return router;
}
