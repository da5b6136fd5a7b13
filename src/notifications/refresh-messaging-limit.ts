// Learns an account's business portfolio and the portfolio's messaging limit from Meta (with every
// token refresh, and when a connection is stored), and tells the caller whether the limit was
// raised: the notifications waiting for it may then go at once.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import { readPortfolioMessagingLimit } from '../integrations/meta/portfolio-messaging-limit.js';
import type { Logger } from '../logger.js';
import { requestReplan } from '../temporal/claim-signals.js';
import { messagingLimitOfTier, storePortfolioLimit } from './messaging-limit-ledger.js';

export interface MessagingLimitRefresh {
  readonly businessId: string | null;
  readonly raised: boolean;
}

export async function refreshMessagingLimit(
  deps: { db: Database; secrets: SecretBox; graph: GraphClient },
  accountId: string,
): Promise<MessagingLimitRefresh> {
  const account = await deps.db.whatsappAccount.findUnique({ where: { id: accountId }, select: { wabaId: true, accessToken: true, status: true } });
  if (!account?.accessToken || account.status !== 'ACTIVE') return { businessId: null, raised: false };
  const learnt = await readPortfolioMessagingLimit(deps.graph, account.wabaId, deps.secrets.open(account.accessToken));
  if (!learnt) return { businessId: null, raised: false };
  await deps.db.whatsappAccount.updateMany({ where: { wabaId: account.wabaId }, data: { businessId: learnt.businessId } });
  const limit = learnt.tier === undefined ? undefined : messagingLimitOfTier(learnt.tier);
  if (learnt.tier === undefined || limit === undefined) return { businessId: learnt.businessId, raised: false };
  const { raised } = await storePortfolioLimit(deps.db, learnt.businessId, learnt.tier, limit);
  return { businessId: learnt.businessId, raised };
}

/** Every tenant with a number in the portfolio re-plans its waiting notifications (a raised limit lets them go). */
export async function replanPortfolio(
  deps: { db: Database; temporal: Client; config: AppConfig; logger: Logger },
  businessId: string,
): Promise<void> {
  const tenants = await deps.db.whatsappAccount.findMany({ where: { businessId }, distinct: ['tenantId'], select: { tenantId: true } });
  for (const { tenantId } of tenants) {
    await requestReplan(deps, { kind: 'tenant', tenantId }).catch((error: unknown) =>
      deps.logger.warn({ err: error, tenantId }, 'could not signal waiting claims after a messaging limit change'),
    );
  }
}
