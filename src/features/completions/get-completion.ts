import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import { toCompletionView } from './completion-view.js';

export async function findCompletionOr404(db: TenantDatabase, completionId: string) {
  const completion = await db.socialTaskCompletion.findUnique({ where: { id: completionId } });
  if (!completion) throw notFound('completion');
  return completion;
}

export async function getCompletion(db: TenantDatabase, completionId: string) {
  return toCompletionView(await findCompletionOr404(db, completionId));
}
