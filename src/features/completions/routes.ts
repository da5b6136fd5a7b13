import { Router, type Request } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { decisionSchema, listCompletionsQuery } from './completion-input.js';
import { decideCompletion } from './decide-completion.js';
import { exportCompletions } from './export-completions.js';
import { exportCompletionsQuery } from './export-input.js';
import { getCompletion } from './get-completion.js';
import { listCompletions } from './list-completions.js';
import { notifyCompletionNow } from './notify-now.js';
import { retryCompletion } from './retry-completion.js';

const completionIdOf = (req: Request) => pathParam(req, 'completionId', 'completion');

export function completionRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/completions', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await listCompletions(ctx, parseInput(listCompletionsQuery, req.query, 'query')));
  });
  // Before /completions/:completionId, which would take "export" for an id.
  router.get('/completions/export', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    await exportCompletions(ctx, parseInput(exportCompletionsQuery, req.query, 'query'), res);
  });
  router.get('/completions/:completionId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getCompletion(tenantContext(deps, req), { completionId: completionIdOf(req) }));
  });
  for (const [action, approved] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    router.post(`/completions/:completionId/${action}`, requireRole('tenant_admin'), async (req, res) => {
      const ctx = tenantContext(deps, req);
      // An approve with no body at all is the common case.
      const { reason } = parseInput(decisionSchema, req.body ?? {});
      res.status(202).json(await decideCompletion(ctx, { completionId: completionIdOf(req), approved, reason }));
    });
  }
  router.post('/completions/:completionId/notify-now', requireRole('tenant_admin'), async (req, res) => {
    res.status(202).json(await notifyCompletionNow(tenantContext(deps, req), { completionId: completionIdOf(req) }));
  });
  router.post('/completions/:completionId/retry', requireRole('tenant_admin'), async (req, res) => {
    res.status(202).json(await retryCompletion(tenantContext(deps, req), { completionId: completionIdOf(req) }));
  });
  return router;
}
