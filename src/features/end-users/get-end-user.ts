import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import { toEndUserView } from './end-user-view.js';

export async function findEndUserOr404(db: TenantDatabase, endUserId: string) {
  const user = await db.endUser.findUnique({ where: { id: endUserId } });
  if (!user) throw notFound('end user');
  return user;
}

export async function getEndUser(db: TenantDatabase, endUserId: string) {
  const user = await findEndUserOr404(db, endUserId);
  const credits = await db.spinCredit.aggregate({ where: { userId: user.id }, _sum: { amount: true } });
  return toEndUserView(user, credits._sum.amount ?? 0);
}
