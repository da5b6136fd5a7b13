// POST /api/v1/whatsapp/accounts/:id/resume-sending: the tenant lifts a sending pause (after fixing
// the payment method, or once Meta lifted a restriction) without waiting for the next probe. An
// account-wide pause is lifted on every number of the WABA; waiting notifications re-plan at once.
import type { TenantContext } from '../../http/use-case-context.js';
import { resumeSending } from '../../notifications/sending-circuit-breaker.js';
import { requestReplan } from '../../temporal/claim-signals.js';
import { showAccount } from './account-view.js';
import { findAccount, messagingBudgets } from './list-accounts.js';

export async function resumeAccountSending(ctx: TenantContext, { accountId }: { accountId: string }) {
  const { deps, db, tenantId } = ctx;
  const account = await findAccount(db, accountId);
  const resumed = await resumeSending(deps.db, account);
  if (resumed > 0) {
    deps.logger.info({ accountId, tenantId, numbers: resumed }, 'WhatsApp sending resumed by a tenant admin');
    await requestReplan(deps, { kind: 'tenant', tenantId }).catch((error: unknown) =>
      deps.logger.warn({ err: error, tenantId }, 'could not signal waiting claims'),
    );
  }
  const current = await findAccount(db, accountId);
  const budgets = await messagingBudgets(deps.db, [current]);
  return showAccount(current, budgets.get(current.businessId ?? ''));
}
