// `message_template_status_update`: Meta changed a template's status (APPROVED, PAUSED, DISABLED,
// REJECTED, REINSTATED…). Every campaign that sends that template (name and language) from an account
// of the WABA takes the new status: a PAUSED or DISABLED template is not sent (notifications outside a
// session window wait with TEMPLATE_PAUSED); when it is usable again, the campaign's waiting claims
// re-plan at once.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { templateUsable } from '../notifications/template-check.js';
import { requestReplan } from '../temporal/claim-signals.js';
import type { ProcessedItem } from './processing-result.js';

export const TEMPLATE_STATUS_FIELD = 'message_template_status_update';

const valueSchema = z.object({
  event: z.string().min(1),
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(1),
});

/** Meta says REINSTATED when a paused template may be sent again. */
const statusOf = (event: string) => (event.toUpperCase() === 'REINSTATED' ? 'APPROVED' : event.toUpperCase());

/** Meta writes languages as en-US in this webhook and en_US elsewhere. */
const languageVariants = (language: string) => [...new Set([language, language.replace('-', '_'), language.replace('_', '-')])];

export async function applyTemplateStatus(
  deps: { db: Database; temporal: Client; config: AppConfig; logger: Logger },
  rawValue: unknown,
  entryId: string | undefined,
): Promise<ProcessedItem[]> {
  const parsed = valueSchema.safeParse(rawValue ?? {});
  if (!parsed.success || !entryId)
    return [{ kind: 'other', outcome: 'unmatched', detail: `${TEMPLATE_STATUS_FIELD}: malformed or without a WABA id` }];
  const { event, message_template_name: name, message_template_language: language } = parsed.data;
  const status = statusOf(event);
  const campaigns = await deps.db.campaign.findMany({
    where: {
      notificationTemplateName: name,
      notificationTemplateLanguage: { in: languageVariants(language) },
      whatsappAccount: { wabaId: entryId },
    },
    select: { id: true, tenantId: true, notificationTemplateStatus: true },
  });
  if (campaigns.length === 0) {
    return [
      {
        kind: 'other',
        outcome: 'ignored',
        ref: `waba ${entryId}`,
        detail: `${TEMPLATE_STATUS_FIELD} ${status}: no campaign sends template ${name} (${language})`,
      },
    ];
  }
  const items: ProcessedItem[] = [];
  for (const campaign of campaigns) {
    await deps.db.campaign.update({ where: { id: campaign.id }, data: { notificationTemplateStatus: status } });
    const usableAgain = !templateUsable(campaign.notificationTemplateStatus) && templateUsable(status);
    if (usableAgain) {
      await requestReplan(deps, { kind: 'campaign', tenantId: campaign.tenantId, campaignId: campaign.id }).catch((error: unknown) =>
        deps.logger.warn({ err: error, campaignId: campaign.id }, 'could not signal claims of a campaign whose template is usable again'),
      );
    }
    items.push({
      kind: 'other',
      outcome: 'applied',
      tenantId: campaign.tenantId,
      ref: `campaign ${campaign.id}`,
      detail: `${TEMPLATE_STATUS_FIELD}: template ${name} (${language}) is ${status}${usableAgain ? '; waiting notifications re-plan' : ''}`,
    });
  }
  return items;
}
