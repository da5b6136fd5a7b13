import type { TenantContext } from '../../http/use-case-context.js';
import { pageArgs, toPage } from '../../http/pagination.js';
import type { ListCampaignsQuery } from './campaign-input.js';
import { toCampaignView } from './campaign-view.js';

/** Newest first. */
export async function listCampaigns(ctx: TenantContext, page: ListCampaignsQuery) {
  const rows = await ctx.db.campaign.findMany(pageArgs(page));
  return toPage(rows, page.limit, toCampaignView);
}
