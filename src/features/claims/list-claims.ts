import type { TenantContext } from '../../http/use-case-context.js';
import { pageArgs, toPage } from '../../http/pagination.js';
import type { ListClaimsQuery } from './claim-queries.js';
import { toClaimView, toEndUserClaimView } from './claim-view.js';

/**
 * Newest claim first (claimedAt, which the tenant's index covers). Filters naming another tenant's
 * campaign, task or user match nothing. An end user gets the reduced view (the route puts their own
 * id in the user filter).
 */
export async function listClaims(ctx: TenantContext, query: ListClaimsQuery) {
  const { campaignId, taskId, userId, status, ...page } = query;
  const args = pageArgs(page, { key: 'claimedAt' });
  const filters = {
    ...(campaignId ? { campaignId } : {}),
    ...(taskId ? { taskId } : {}),
    ...(userId ? { userId } : {}),
    ...(status ? { status } : {}),
  };
  const rows = await ctx.db.claim.findMany({ ...args, where: { ...args.where, ...filters } });
  return toPage(rows, page.limit, ctx.actor.role === 'end_user' ? toEndUserClaimView : toClaimView, (row) => row.claimedAt);
}
