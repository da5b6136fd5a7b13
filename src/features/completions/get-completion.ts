import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { toCompletionView } from './completion-view.js';

export async function findCompletionOr404(db: TenantDatabase, completionId: string) {
  const completion = await db.socialTaskCompletion.findUnique({ where: { id: completionId } });
  if (!completion) throw notFound('completion');
  return completion;
}

export async function getCompletion(ctx: TenantContext, input: { completionId: string }) {
  return toCompletionView(await findCompletionOr404(ctx.db, input.completionId));
}
