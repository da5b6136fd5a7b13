import { Router } from 'express';
import { requireRole } from '../../http/auth.js';
import type { AppDeps } from '../../http/deps.js';
import { pathParam } from '../../http/path-param.js';
import { tenantContext } from '../../http/use-case-context.js';
import { parseInput } from '../../http/validation.js';
import { createCampaignSchema, listCampaignsQuery, patchCampaignSchema } from './campaign-input.js';
import { createCampaign } from './create-campaign.js';
import { getCampaign } from './get-campaign.js';
import { getCampaignStats } from './get-campaign-stats.js';
import { listCampaigns } from './list-campaigns.js';
import { updateCampaign } from './update-campaign.js';

export function campaignRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/campaigns', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.status(201).json(await createCampaign(ctx, parseInput(createCampaignSchema, req.body)));
  });
  router.get('/campaigns', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await listCampaigns(ctx, parseInput(listCampaignsQuery, req.query, 'query')));
  });
  router.get('/campaigns/:campaignId', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    res.json(await getCampaign(ctx, { campaignId: pathParam(req, 'campaignId', 'campaign') }));
  });
  router.get('/campaigns/:campaignId/stats', requireRole('tenant_admin'), async (req, res) => {
    res.json(await getCampaignStats(tenantContext(deps, req), { campaignId: pathParam(req, 'campaignId', 'campaign') }));
  });
  router.patch('/campaigns/:campaignId', requireRole('tenant_admin'), async (req, res) => {
    const ctx = tenantContext(deps, req);
    const changes = parseInput(patchCampaignSchema, req.body);
    res.json(await updateCampaign(ctx, { campaignId: pathParam(req, 'campaignId', 'campaign'), changes }));
  });
  return router;
}
