import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { toCampaignView } from './campaign-view.js';

/** The campaign row of the caller's tenant; another tenant's campaign is absent (404). */
export async function findCampaignOr404(db: TenantDatabase, campaignId: string) {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } });
  if (!campaign) throw notFound('campaign');
  return campaign;
}

export async function getCampaign(ctx: TenantContext, input: { campaignId: string }) {
  return toCampaignView(await findCampaignOr404(ctx.db, input.campaignId));
}
