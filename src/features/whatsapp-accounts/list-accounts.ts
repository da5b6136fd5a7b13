import type { TenantDatabase } from '../../db/tenant-scope.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import type { Database } from '../../db/client.js';
import { usedIn24h } from '../../notifications/messaging-limit-ledger.js';
import { type MessagingBudget, showAccount } from './account-view.js';

export async function listAccounts(ctx: TenantContext) {
  const accounts = await ctx.db.whatsappAccount.findMany({ orderBy: [{ connectedAt: 'asc' }, { id: 'asc' }] });
  const budgets = await messagingBudgets(ctx.deps.db, accounts);
  return { accounts: accounts.map((account) => showAccount(account, budgets.get(account.businessId ?? ''))) };
}

/** The messaging limit and its use of each portfolio the accounts belong to (portfolios are Meta's, not a tenant's rows). */
export async function messagingBudgets(db: Database, accounts: readonly { businessId: string | null }[]): Promise<Map<string, MessagingBudget>> {
  const ids = [...new Set(accounts.flatMap((account) => (account.businessId ? [account.businessId] : [])))];
  const portfolios = await db.whatsappPortfolio.findMany({ where: { id: { in: ids } } });
  const budgets = new Map<string, MessagingBudget>();
  for (const portfolio of portfolios) {
    budgets.set(portfolio.id, { messagingLimit: portfolio.messagingLimit, messagingUsed24h: await usedIn24h(db, portfolio.id) });
  }
  return budgets;
}

/** Another tenant's account (or a malformed id) is a 404, as if it did not exist. */
export async function findAccount(db: TenantDatabase, accountId: string) {
  const account = await db.whatsappAccount.findFirst({ where: { id: accountId } });
  if (!account) throw notFound('WhatsApp account');
  return account;
}
