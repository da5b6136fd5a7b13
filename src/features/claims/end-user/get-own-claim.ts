import { notFound } from '../../../http/errors.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { toEndUserClaimView } from '../claim-view.js';

/** The end user's own claim; anyone else's (same tenant or not) is absent. */
export async function getOwnClaim(ctx: TenantContext, { claimId }: { claimId: string }) {
  const claim = await ctx.db.claim.findFirst({ where: { id: claimId, userId: ctx.actor.userId } });
  if (!claim) throw notFound('claim');
  return toEndUserClaimView(claim);
}
