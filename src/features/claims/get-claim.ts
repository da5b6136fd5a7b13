import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { toEndUserClaimView } from '../completions/completion-view.js';

/** The end user's own claim; anyone else's (same tenant or not) is absent. */
export async function getOwnClaim(ctx: TenantContext, { completionId }: { completionId: string }) {
  const completion = await ctx.db.socialTaskCompletion.findFirst({ where: { id: completionId, userId: ctx.actor.userId } });
  if (!completion) throw notFound('claim');
  return toEndUserClaimView(completion);
}
