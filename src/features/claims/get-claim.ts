import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import { toEndUserClaimView } from '../completions/completion-view.js';

/** The end user's own claim; anyone else's (same tenant or not) is absent. */
export async function getOwnClaim(db: TenantDatabase, endUserId: string, completionId: string) {
  const completion = await db.socialTaskCompletion.findFirst({ where: { id: completionId, userId: endUserId } });
  if (!completion) throw notFound('claim');
  return toEndUserClaimView(completion);
}
