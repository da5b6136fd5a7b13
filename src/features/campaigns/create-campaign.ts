import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { parseInput } from '../../http/validation.js';
import {
  assertUsableWhatsappAccount, campaignColumns, campaignFields, isMissingAccountError, missingAccountError,
} from './campaign-input.js';
import { toCampaignView } from './campaign-view.js';

const createCampaignSchema = z
  .object({
    ...campaignFields,
    timezone: campaignFields.timezone.optional(),
    notificationEnabled: campaignFields.notificationEnabled.default(true),
    notificationStartHour: campaignFields.notificationStartHour.default(9),
    notificationEndHour: campaignFields.notificationEndHour.default(21),
    whatsappAccountId: campaignFields.whatsappAccountId.optional(),
    notificationTemplate: campaignFields.notificationTemplate.optional(),
    endsAt: campaignFields.endsAt.optional(),
  })
  .strict();

export async function createCampaign(db: TenantDatabase, tenantId: string, body: unknown) {
  const input = parseInput(createCampaignSchema, body);
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
