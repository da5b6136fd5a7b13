import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { getPlatformSettings, putPlatformSettings } from './platform-settings.js';
import { getTenantSettings, putTenantSettings } from './tenant-settings.js';

export function settingsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    res.json(await getTenantSettings(scopeToTenant(deps.db, tenantId), deps.secrets, tenantId));
  });
  router.put('/tenant/settings', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    res.json(
      await putTenantSettings(scopeToTenant(deps.db, tenantId), deps.secrets, tenantId, req.body, {
        allowPrivateNetworks: deps.config.outboundAllowPrivateNetworks,
      }),
    );
  });
  router.get('/platform/settings', requireRole('platform_admin'), async (_req, res) => {
    res.json(await getPlatformSettings(deps.db, deps.secrets));
  });
  router.put('/platform/settings', requireRole('platform_admin'), async (req, res) => {
    res.json(await putPlatformSettings(deps.db, deps.secrets, req.body));
  });
  return router;
}
