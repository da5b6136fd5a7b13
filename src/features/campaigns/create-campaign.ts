import type { TenantContext } from '../../http/use-case-context.js';
import {
  assertUsableWhatsappAccount,
  campaignColumns,
  isMissingAccountError,
  missingAccountError,
  type CreateCampaignInput,
} from './campaign-input.js';
import { checkCampaignTemplate } from './check-campaign-template.js';
import { toCampaignView } from './campaign-view.js';

export async function createCampaign(ctx: TenantContext, input: CreateCampaignInput) {
  const { db, tenantId } = ctx;
  if (input.whatsappAccountId) await assertUsableWhatsappAccount(db, input.whatsappAccountId);
  const columns = campaignColumns(input);
  const template = await checkCampaignTemplate(ctx, {
    whatsappAccountId: input.whatsappAccountId ?? null,
    notificationTemplateName: columns.notificationTemplateName ?? null,
    notificationTemplateLanguage: columns.notificationTemplateLanguage ?? null,
  });
  try {
    // tenantId is the verified token's (the scope refuses any other); the strict schema keeps it out of the body.
    const campaign = await db.campaign.create({ data: { ...columns, ...template.columns, name: input.name, tenantId } });
    return { ...toCampaignView(campaign), warnings: template.warnings };
  } catch (error) {
    if (isMissingAccountError(error)) throw missingAccountError(error);
    throw error;
  }
}
