import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { platformContext, tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { putPlatformSettingsSchema, putTenantSettingsSchema } from './config-input.js';
import { getPlatformSettings, putPlatformSettings } from './platform-settings.js';
import { getTenantSettings, putTenantSettings } from './tenant-settings.js';

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getTenantSettings(tenantContext(deps, req)));
  });
  router.put('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await putTenantSettings(ctx, parseInput(putTenantSettingsSchema, req.body)));
  });
  router.get('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    res.json(await getPlatformSettings(platformContext(deps, req)));
  });
  router.put('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    const ctx = platformContext(deps, req);
    res.json(await putPlatformSettings(ctx, parseInput(putPlatformSettingsSchema, req.body)));
  });
  return router;
}
