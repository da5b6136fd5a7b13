import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { renderCallbackPage } from './callback-page.js';
import { completeOAuth } from './complete-oauth.js';
import { completeOAuthSchema, embeddedSignupSchema } from './connect-input.js';
import { completeEmbeddedSignup } from './embedded-signup.js';
import { createStateSigner } from './oauth-state.js';
import { startConnect } from './start-connect.js';

/** Under /api/v1 (authenticated). */
export function metaConnectRoutes(deps: AppDeps): Router {
  const signer = createStateSigner(deps.config.jwtSecret);
  const router = Router();
  router.get('/meta/connect', requireRole('tenant_admin'), async (req, res) => {
    res.json(await startConnect({ ...tenantContext(deps, req), signer }));
  });
  router.post('/meta/oauth/complete', requireRole('tenant_admin'), async (req, res) => {
    const ctx = { ...tenantContext(deps, req), signer };
    res.status(201).json(await completeOAuth(ctx, parseInput(completeOAuthSchema, req.body)));
  });
  router.post('/meta/embedded-signup', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.status(201).json(await completeEmbeddedSignup(ctx, parseInput(embeddedSignupSchema, req.body)));
  });
  return router;
}

/** Public: Meta redirects the admin's browser here; the page hands the code to the dashboard. */
export function metaCallbackRoutes(deps: AppDeps): Router {
  const callbackDeps = { config: deps.config, signer: createStateSigner(deps.config.jwtSecret) };
  const router = Router();
  router.get('/meta/callback', (req, res) => {
    const page = renderCallbackPage(callbackDeps, req.query);
    res.status(page.status).set(page.headers).send(page.html);
  });
  return router;
}
