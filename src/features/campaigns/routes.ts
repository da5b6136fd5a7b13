import { Router } from 'express';
import { scopeToTenant } from '../../db/tenant-scope.js';
import { requireRole, tenantIdOf } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { createCampaign } from './create-campaign.js';
import { getCampaign } from './get-campaign.js';
import { listCampaigns } from './list-campaigns.js';
import { pathParam } from '../../http/path-param.js';
import { updateCampaign } from './update-campaign.js';

export function campaignRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/campaigns', requireRole('tenant_admin'), async (req, res) => {
    const tenantId = tenantIdOf(req);
    res.status(201).json(await createCampaign(scopeToTenant(deps.db, tenantId), tenantId, req.body));
  });
  router.get('/campaigns', requireRole('tenant_admin'), async (req, res) => {
    res.json(await listCampaigns(scopeToTenant(deps.db, tenantIdOf(req)), req.query));
  });
  router.get('/campaigns/:campaignId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getCampaign(scopeToTenant(deps.db, tenantIdOf(req)), pathParam(req, 'campaignId', 'campaign')));
  });
  router.patch('/campaigns/:campaignId', requireRole('tenant_admin'), async (req, res) => {
    res.json(await updateCampaign(deps, tenantIdOf(req), pathParam(req, 'campaignId', 'campaign'), req.body));
  });
  return router;
}
