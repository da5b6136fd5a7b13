import type { Campaign } from '../../generated/prisma/client.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { requestReplan } from '../../temporal/claim-signals.js';
import {
  assertUsableWhatsappAccount,
  campaignColumns,
  isMissingAccountError,
  missingAccountError,
  type PatchCampaignInput,
} from './campaign-input.js';
import { checkCampaignTemplate } from './check-campaign-template.js';
import { toCampaignView } from './campaign-view.js';
import { findCampaignOr404 } from './get-campaign.js';
import { orNotFound } from '../../db/prisma-errors.js';

/** What a waiting claim reads when it plans its notification. */
const NOTIFICATION_COLUMNS = [
  'timezone',
  'notificationEnabled',
  'notificationStartHour',
  'notificationEndHour',
  'whatsappAccountId',
  'notificationTemplateName',
  'notificationTemplateLanguage',
  'notificationTemplateStatus',
  'endsAt',
] as const satisfies readonly (keyof Campaign)[];

function notificationSettingsDiffer(before: Campaign, after: Campaign): boolean {
  return NOTIFICATION_COLUMNS.some((column) => {
    const [a, b] = [before[column], after[column]];
    return a instanceof Date || b instanceof Date ? a?.valueOf() !== b?.valueOf() : a !== b;
  });
}

/** Fields left out are unchanged; `null` clears the nullable ones (timezone, account, template, endsAt). */
export async function updateCampaign(ctx: TenantContext, { campaignId, changes: input }: { campaignId: string; changes: PatchCampaignInput }) {
  const { deps, db, tenantId } = ctx;
  const before = await findCampaignOr404(db, campaignId);
  if (input.whatsappAccountId && input.whatsappAccountId !== before.whatsappAccountId) {
    await assertUsableWhatsappAccount(db, input.whatsappAccountId);
  }
  const columns = campaignColumns(input);
  // The template is checked again when it or the account that sends it changes.
  const checksTemplate = input.notificationTemplate !== undefined || input.whatsappAccountId !== undefined;
  const template = checksTemplate
    ? await checkCampaignTemplate(ctx, {
        whatsappAccountId: input.whatsappAccountId !== undefined ? input.whatsappAccountId : before.whatsappAccountId,
        notificationTemplateName: columns.notificationTemplateName !== undefined ? columns.notificationTemplateName : before.notificationTemplateName,
        notificationTemplateLanguage:
          columns.notificationTemplateLanguage !== undefined ? columns.notificationTemplateLanguage : before.notificationTemplateLanguage,
      })
    : undefined;
  let after: Campaign;
  try {
    after = await orNotFound(db.campaign.update({ where: { id: campaignId }, data: { ...columns, ...template?.columns } }), 'campaign');
  } catch (error) {
    if (isMissingAccountError(error)) throw missingAccountError(error);
    throw error;
  }
  if (notificationSettingsDiffer(before, after)) {
    // Claims already waiting for the window re-plan now instead of sleeping on a stale timer. The
    // request only asks the fan-out workflow (one call, whatever the number of claims); a failure
    // here is only latency (each claim re-reads the campaign when its timer fires), so it is
    // logged, not returned.
    try {
      await requestReplan(deps, { kind: 'campaign', tenantId, campaignId });
    } catch (error) {
      deps.logger.warn({ err: error, campaignId }, 'could not signal claims of an edited campaign');
    }
  }
  return { ...toCampaignView(after), warnings: template?.warnings ?? [] };
}
