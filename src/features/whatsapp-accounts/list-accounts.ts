import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { showAccount } from './account-view.js';

export async function listAccounts(ctx: TenantContext) {
  const accounts = await ctx.db.whatsappAccount.findMany({ orderBy: [{ connectedAt: 'asc' }, { id: 'asc' }] });
  return { accounts: accounts.map(showAccount) };
}

/** Another tenant's account (or a malformed id) is a 404, as if it did not exist. */
export async function findAccount(db: TenantDatabase, accountId: string) {
  const account = await db.whatsappAccount.findFirst({ where: { id: accountId } });
  if (!account) throw notFound('WhatsApp account');
  return account;
}
