// `business_capability_update`: Meta announces a change of a business's capabilities, among them
// the portfolio's messaging limit. The entry names the WABA (or the business). When the value carries
// the limit (whatsapp_business_manager_messaging_limit, or max_daily_conversations_per_business as a
// tier or a number) it is stored; otherwise the limit is read again from the Graph API. A raised limit
// re-plans the waiting notifications of every tenant with a number in the portfolio at once.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { AppConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import type { Logger } from '../logger.js';
import { messagingLimitOfTier, storePortfolioLimit } from '../notifications/messaging-limit-ledger.js';
import { refreshMessagingLimit, replanPortfolio } from '../notifications/refresh-messaging-limit.js';
import type { ProcessedItem } from './processing-result.js';

export const CAPABILITY_FIELD = 'business_capability_update';

export interface CapabilityDeps {
  readonly db: Database;
  readonly temporal: Client;
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly secrets: SecretBox;
  readonly graph: GraphClient;
}

const tierOrNumber = z.union([z.string(), z.number()]);
const valueSchema = z.object({
  whatsapp_business_manager_messaging_limit: tierOrNumber.optional(),
  max_daily_conversations_per_business: tierOrNumber.optional(),
});

/** The limit a value announces: a number, null (unlimited), or undefined (none announced). */
function announcedLimit(value: z.infer<typeof valueSchema>): { tier: string; limit: number | null } | undefined {
  const raw = value.whatsapp_business_manager_messaging_limit ?? value.max_daily_conversations_per_business;
  if (raw === undefined) return undefined;
  if (typeof raw === 'number') return Number.isInteger(raw) && raw > 0 ? { tier: `TIER_${raw}`, limit: raw } : undefined;
  const limit = messagingLimitOfTier(raw);
  return limit === undefined ? undefined : { tier: raw.trim().toUpperCase(), limit };
}

export async function applyCapabilityUpdate(deps: CapabilityDeps, rawValue: unknown, entryId: string | undefined): Promise<ProcessedItem[]> {
  const parsed = valueSchema.safeParse(rawValue ?? {});
  if (!parsed.success || !entryId)
    return [{ kind: 'account', outcome: 'unmatched', detail: `${CAPABILITY_FIELD}: malformed or without an entry id` }];
  const accounts = await deps.db.whatsappAccount.findMany({
    where: { OR: [{ wabaId: entryId }, { businessId: entryId }] },
    select: { id: true, tenantId: true, businessId: true },
    orderBy: { id: 'asc' },
  });
  if (accounts.length === 0) {
    return [
      {
        kind: 'account',
        outcome: 'unmatched',
        ref: `waba ${entryId}`,
        detail: `${CAPABILITY_FIELD}: no WhatsApp account of WABA or business ${entryId}`,
      },
    ];
  }
  const announced = announcedLimit(parsed.data);
  let businessId = accounts.find((account) => account.businessId)?.businessId ?? null;
  let raised = false;
  if (announced && businessId) {
    raised = (await storePortfolioLimit(deps.db, businessId, announced.tier, announced.limit)).raised;
  } else {
    // Not announced, or the portfolio not learnt yet: ask Meta.
    const refreshed = await refreshMessagingLimit(deps, accounts[0]!.id);
    businessId = refreshed.businessId;
    raised = refreshed.raised;
  }
  if (raised && businessId) await replanPortfolio(deps, businessId);
  const portfolio = businessId ? await deps.db.whatsappPortfolio.findUnique({ where: { id: businessId } }) : null;
  const limitText = portfolio ? (portfolio.messagingLimit === null ? 'unlimited' : String(portfolio.messagingLimit)) : 'unknown';
  return [
    {
      kind: 'account',
      outcome: businessId ? 'applied' : 'ignored',
      tenantId: accounts[0]!.tenantId,
      ref: `business ${businessId ?? entryId}`,
      detail: `${CAPABILITY_FIELD}: messaging limit ${limitText}${raised ? ' (raised: waiting notifications re-plan)' : ''}`,
    },
  ];
}
