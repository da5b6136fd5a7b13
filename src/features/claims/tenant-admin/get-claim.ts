import type { TenantDatabase } from '../../../db/tenant-scope.js';
import { notFound } from '../../../http/errors.js';
import type { TenantContext } from '../../../http/use-case-context.js';
import { toClaimView } from '../claim-view.js';

export async function findClaimOr404(db: TenantDatabase, claimId: string) {
  const claim = await db.claim.findUnique({ where: { id: claimId } });
  if (!claim) throw notFound('completion');
  return claim;
}

export async function getClaimView(ctx: TenantContext, input: { claimId: string }) {
  return toClaimView(await findClaimOr404(ctx.db, input.claimId));
}
