import type { TenantContext } from '../../http/use-case-context.js';
import {
  assertUsableWhatsappAccount,
  campaignColumns,
  isMissingAccountError,
  missingAccountError,
  type CreateCampaignInput,
} from './campaign-input.js';
import { toCampaignView } from './campaign-view.js';

export async function createCampaign(ctx: TenantContext, input: CreateCampaignInput) {
  const { db, tenantId } = ctx;
  if (input.whatsappAccountId) await assertUsableWhatsappAccount(db, input.whatsappAccountId);
  try {
    // tenantId is the verified token's (the scope refuses any other); the strict schema keeps it out of the body.
    const campaign = await db.campaign.create({ data: { ...campaignColumns(input), name: input.name, tenantId } });
    return toCampaignView(campaign);
  } catch (error) {
    if (isMissingAccountError(error)) throw missingAccountError(error);
    throw error;
  }
}
