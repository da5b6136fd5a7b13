import { Router } from 'express';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { renderCallbackPage } from './callback-page.js';
import { completeOAuth } from './complete-oauth.js';
import { completeEmbeddedSignup } from './embedded-signup.js';
import { createStateSigner } from './oauth-state.js';
import { startConnect } from './start-connect.js';

function connectDeps(deps: AppDeps) {
  return { ...deps, signer: createStateSigner(deps.config.jwtSecret) };
}

/** Under /api/v1 (authenticated). */
export function metaConnectRoutes(appDeps: AppDeps): Router {
  const deps = connectDeps(appDeps);
  const router = Router();
  router.get('/meta/connect', requireRole('tenant_admin'), async (req, res) => {
    res.json(await startConnect(deps, { tenantId: tenantIdOf(req), userId: req.principal!.userId }));
  });
  router.post('/meta/oauth/complete', requireRole('tenant_admin'), async (req, res) => {
    tenantIdOf(req);
    res.status(201).json(await completeOAuth(deps, req.principal!, req.body));
  });
  router.post('/meta/embedded-signup', requireRole('tenant_admin'), async (req, res) => {
    res.status(201).json(await completeEmbeddedSignup(deps, tenantIdOf(req), req.body));
  });
  return router;
}

/** Public: Meta redirects the admin's browser here; the page hands the code to the dashboard. */
export function metaCallbackRoutes(appDeps: AppDeps): Router {
  const deps = connectDeps(appDeps);
  const router = Router();
  router.get('/meta/callback', (req, res) => {
    const page = renderCallbackPage(deps, req.query);
    res.status(page.status).set(page.headers).send(page.html);
  });
  return router;
}
