// DELETE /api/v1/whatsapp/accounts/:id: the token is wiped (not just hidden), the account stays as
// DISCONNECTED for history (campaigns keep their reference), and its refresh schedule is deleted.
// Idempotent: disconnecting twice answers the same.
import { orNotFound } from '../../db/prisma-errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { requestReplan } from '../../temporal/claim-signals.js';
import { REQUEST_DEADLINE_MS, withDeadline } from '../../temporal/durable-start.js';
import { deleteRefreshSchedule } from '../../temporal/token-refresh-schedules.js';
import { showAccount } from './account-view.js';
import { findAccount } from './list-accounts.js';

export async function disconnectAccount(ctx: TenantContext, { accountId }: { accountId: string }) {
  const { deps, db, tenantId } = ctx;
  await findAccount(db, accountId);
  // Disconnected by a concurrent request in between: the same 404 as if it never existed.
  const account = await orNotFound(
    deps.db.$transaction(async (tx) => {
      // Waits for a running token refresh of this account (it holds the row), so the refresh cannot
      // store a new token after we wiped it.
      await tx.$queryRaw`SELECT "id" FROM "WhatsappAccount" WHERE "id" = ${accountId} AND "tenantId" = ${tenantId} FOR UPDATE`;
      return tx.whatsappAccount.update({
        where: { id: accountId, tenantId },
        data: {
          status: 'DISCONNECTED',
          statusReason: 'Disconnected by a tenant admin',
          accessToken: null,
          tokenExpiresAt: null,
          dataAccessExpiresAt: null,
        },
      });
    }),
    'WhatsApp account',
  );
  // After the commit: if Temporal is unreachable the schedule is an orphan that reconcile deletes,
  // and a run it starts finds the account DISCONNECTED and does nothing.
  await withDeadline(deps.temporal, REQUEST_DEADLINE_MS, () => deleteRefreshSchedule(deps.temporal, accountId)).catch((error: unknown) =>
    deps.logger.error({ err: error, accountId }, 'could not delete the token refresh schedule; run npm run schedules:reconcile'),
  );
  // Claims held for this account re-plan now (another channel of the tenant may take over).
  await requestReplan(deps, { kind: 'tenant', tenantId }).catch((error: unknown) =>
    deps.logger.warn({ err: error, tenantId }, 'could not signal waiting claims'),
  );
  return showAccount(account);
}
