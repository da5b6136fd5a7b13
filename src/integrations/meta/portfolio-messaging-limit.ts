// The business portfolio owning a WABA and its WhatsApp messaging limit (meta-apis reference §4.3):
// GET /{waba-id}?fields=owner_business_info, then GET /{business-id}?fields=whatsapp_business_manager_messaging_limit
// (the portfolio-wide limit since October 2025; `messaging_limit_tier` on the number is deprecated).
import type { GraphClient } from './graph-client.js';
import { graphIdSegment } from './graph-ids.js';

export interface PortfolioMessagingLimit {
  readonly businessId: string;
  /** As Meta names it: TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED */
  readonly tier: string | undefined;
}

/** Undefined when the WABA does not name its owning business. */
export async function readPortfolioMessagingLimit(client: GraphClient, wabaId: string, token: string): Promise<PortfolioMessagingLimit | undefined> {
  const waba = await client.get<{ owner_business_info?: { id?: string } }>(
    `/${graphIdSegment(wabaId, 'WABA id')}`,
    { fields: 'owner_business_info' },
    token,
  );
  const businessId = waba.owner_business_info?.id;
  if (!businessId) return undefined;
  const business = await client.get<{ whatsapp_business_manager_messaging_limit?: string }>(
    `/${graphIdSegment(businessId, 'business id')}`,
    { fields: 'whatsapp_business_manager_messaging_limit' },
    token,
  );
  return { businessId, tier: business.whatsapp_business_manager_messaging_limit };
}
