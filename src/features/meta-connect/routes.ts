import { Router } from 'express';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { completeCallback } from './complete-callback.js';
import { completeEmbeddedSignup } from './embedded-signup.js';
import { createMetaGraph } from './graph.js';
import { createStateSigner } from './oauth-state.js';
import { startConnect } from './start-connect.js';

function connectDeps(deps: AppDeps) {
  return { ...deps, graph: createMetaGraph(deps.config), signer: createStateSigner(deps.config.jwtSecret) };
}

/** Under /api/v1 (authenticated). */
export function metaConnectRoutes(appDeps: AppDeps): Router {
  const deps = connectDeps(appDeps);
  const router = Router();
  router.get('/meta/connect', requireRole('tenant_admin'), async (req, res) => {
    res.json(await startConnect(deps, tenantIdOf(req)));
  });
  router.post('/meta/embedded-signup', requireRole('tenant_admin'), async (req, res) => {
    res.status(201).json(await completeEmbeddedSignup(deps, tenantIdOf(req), req.body));
  });
  return router;
}

/** Public: Meta redirects the admin's browser here; the signed state names the tenant. */
export function metaCallbackRoutes(appDeps: AppDeps): Router {
  const deps = connectDeps(appDeps);
  const router = Router();
  router.get('/meta/callback', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(await completeCallback(deps, req.query));
  });
  return router;
}
