import type { Campaign } from '../../generated/prisma/client.js';

/** What the API shows of a campaign. `timezone: null` means the tenant's zone applies. */
export function toCampaignView(campaign: Campaign) {
  const template =
    campaign.notificationTemplateName && campaign.notificationTemplateLanguage
      ? {
          name: campaign.notificationTemplateName,
          language: campaign.notificationTemplateLanguage,
          /** As Meta reported it when the campaign was saved (MARKETING, UTILITY…); null when not checked */
          category: campaign.notificationTemplateCategory,
          /** Meta's status (APPROVED, PAUSED, DISABLED…), followed by its status updates; null when not checked */
          status: campaign.notificationTemplateStatus,
        }
      : null;
  return {
    id: campaign.id,
    name: campaign.name,
    timezone: campaign.timezone,
    notificationEnabled: campaign.notificationEnabled,
    notificationStartHour: campaign.notificationStartHour,
    notificationEndHour: campaign.notificationEndHour,
    whatsappAccountId: campaign.whatsappAccountId,
    notificationTemplate: template,
    endsAt: campaign.endsAt?.toISOString() ?? null,
    createdAt: campaign.createdAt.toISOString(),
    updatedAt: campaign.updatedAt.toISOString(),
  };
}
