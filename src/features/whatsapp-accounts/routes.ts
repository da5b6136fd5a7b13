import { Router, type Request } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { testMessageSchema } from './account-input.js';
import { disconnectAccount } from './disconnect-account.js';
import { listAccounts } from './list-accounts.js';
import { listTemplates } from './list-templates.js';
import { resumeAccountSending } from './resume-sending.js';
import { sendTestMessage } from './send-test-message.js';

const accountIdOf = (req: Request) => String(req.params.id);

export function whatsappAccountRoutes(deps: AppDeps): Router {
  const router = Router();
  const admin = requireRole('tenant_admin');

  router.get('/whatsapp/accounts', admin, async (req, res) => {
    res.json(await listAccounts(tenantContext(deps, req)));
  });
  router.delete('/whatsapp/accounts/:id', admin, async (req, res) => {
    res.json(await disconnectAccount(tenantContext(deps, req), { accountId: accountIdOf(req) }));
  });
  router.post('/whatsapp/accounts/:id/test-message', admin, async (req, res) => {
    const ctx = tenantContext(deps, req);
    const input = parseInput(testMessageSchema, req.body);
    res.json(await sendTestMessage(ctx, { ...input, accountId: accountIdOf(req) }));
  });
  router.post('/whatsapp/accounts/:id/resume-sending', admin, async (req, res) => {
    res.json(await resumeAccountSending(tenantContext(deps, req), { accountId: accountIdOf(req) }));
  });
  router.get('/whatsapp/accounts/:id/templates', admin, async (req, res) => {
    res.json(await listTemplates(tenantContext(deps, req), { accountId: accountIdOf(req) }));
  });
  return router;
}
