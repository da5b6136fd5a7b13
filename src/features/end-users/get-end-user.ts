import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { toEndUserView } from './end-user-view.js';

/** An erased end user (data rights) is absent for every admin route: 404, like another tenant's. */
export async function findEndUserOr404(db: TenantDatabase, endUserId: string) {
  const user = await db.endUser.findFirst({ where: { id: endUserId, erasedAt: null } });
  if (!user) throw notFound('end user');
  return user;
}

export async function getEndUser(db: TenantDatabase, endUserId: string) {
  const user = await findEndUserOr404(db, endUserId);
  const credits = await db.spinCredit.aggregate({ where: { userId: user.id }, _sum: { amount: true } });
  return toEndUserView(user, credits._sum.amount ?? 0);
}

/** The user with the audit of changes made to their identity, newest first. */
export async function getEndUserWithAudit(ctx: TenantContext, { endUserId }: { endUserId: string }) {
  const scoped = ctx.db;
  const view = await getEndUser(scoped, endUserId);
  const entries = await scoped.endUserAuditEntry.findMany({ where: { endUserId }, orderBy: { createdAt: 'desc' }, take: 50 });
  return {
    ...view,
    audit: entries.map((entry) => ({ at: entry.createdAt.toISOString(), action: entry.action, changes: entry.changes, actorId: entry.actorId })),
  };
}
