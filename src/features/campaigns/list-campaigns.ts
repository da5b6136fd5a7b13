import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { parseInput } from '../../http/validation.js';
import { toCampaignView } from './campaign-view.js';
import { pageArgs, pageQueryFields, toPage } from '../../http/pagination.js';

// Unknown query parameters are ignored (a `tenantId` among them selects nothing).
const listCampaignsQuery = z.object({ ...pageQueryFields });

/** Newest first. */
export async function listCampaigns(db: TenantDatabase, query: unknown) {
  const page = parseInput(listCampaignsQuery, query, 'query');
  const rows = await db.campaign.findMany(pageArgs(page));
  return toPage(rows, page.limit, toCampaignView);
}
