// A campaign's WhatsApp template, checked when the campaign is saved (create, or a PATCH of its
// template or account). Only when its notifications go through the Cloud API (the campaign's own
// account, else the tenant's default one when the tenant has no provider of its own):
//   - no template: 201 with the warning NO_TEMPLATE_FOR_CLOSED_SESSIONS (outside a customer-service
//     window WhatsApp accepts only templates, so those users would get nothing);
//   - a template Meta has not APPROVED in that language: 422 TEMPLATE_NOT_APPROVED with Meta's status;
//   - a template whose body takes another number of parameters than the 4 we fill: 422
//     TEMPLATE_PARAMETERS_MISMATCH;
//   - Meta unreachable, or an account that cannot ask: stored, with the warning TEMPLATE_CHECK_UNAVAILABLE.
// The template's category (MARKETING / UTILITY) and status are stored to be shown and followed.
import { AppError } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { listTemplatesNamed } from '../../integrations/meta/message-templates.js';
import { OutboundError } from '../../integrations/outbound-error.js';
import { judgeTemplate } from '../../notifications/template-check.js';

export interface CampaignWarning {
  readonly code: 'NO_TEMPLATE_FOR_CLOSED_SESSIONS' | 'TEMPLATE_CHECK_UNAVAILABLE' | 'MARKETING_TEMPLATE';
  readonly message: string;
}

export interface TemplateCheck {
  readonly columns: { notificationTemplateCategory: string | null; notificationTemplateStatus: string | null };
  readonly warnings: CampaignWarning[];
}

/** The Cloud API account the campaign's notifications would use, or null when they go through a provider. */
async function cloudAccountOf(ctx: TenantContext, whatsappAccountId: string | null) {
  if (whatsappAccountId) return ctx.db.whatsappAccount.findUnique({ where: { id: whatsappAccountId } });
  const tenant = await ctx.db.tenant.findUnique({ where: { id: ctx.tenantId }, select: { waConfig: true } });
  if (tenant?.waConfig) return null;
  // As the channel choice does (activities/notification-channel.ts): an ACTIVE account with a token.
  return ctx.db.whatsappAccount.findFirst({
    where: { status: 'ACTIVE', accessToken: { not: null } },
    orderBy: [{ connectedAt: 'asc' }, { id: 'asc' }],
  });
}

export async function checkCampaignTemplate(
  ctx: TenantContext,
  campaign: { whatsappAccountId: string | null; notificationTemplateName: string | null; notificationTemplateLanguage: string | null },
): Promise<TemplateCheck> {
  const unchecked: TemplateCheck = { columns: { notificationTemplateCategory: null, notificationTemplateStatus: null }, warnings: [] };
  const account = await cloudAccountOf(ctx, campaign.whatsappAccountId);
  if (!account) return unchecked;
  const { notificationTemplateName: name, notificationTemplateLanguage: language } = campaign;
  if (!name || !language) {
    return {
      ...unchecked,
      warnings: [
        {
          code: 'NO_TEMPLATE_FOR_CLOSED_SESSIONS',
          message:
            'notifications go through the WhatsApp Cloud API, which accepts only an approved template outside a 24-hour conversation: users who have not written to the business in the last day will get nothing; set notificationTemplate',
        },
      ],
    };
  }
  const unavailable = (why: string): TemplateCheck => ({
    ...unchecked,
    warnings: [
      { code: 'TEMPLATE_CHECK_UNAVAILABLE', message: `the template could not be checked with Meta (${why}); it is checked again when it is sent` },
    ],
  });
  if (account.status !== 'ACTIVE' || !account.accessToken) return unavailable(`the WhatsApp account is ${account.status}`);
  let templates;
  try {
    templates = await listTemplatesNamed(ctx.deps.graph, account.wabaId, ctx.deps.secrets.open(account.accessToken), name);
  } catch (error) {
    if (error instanceof OutboundError) return unavailable(error.kind === 'auth' ? 'the account’s token was refused' : 'Meta did not answer');
    throw error;
  }
  const verdict = judgeTemplate(templates, language);
  switch (verdict.kind) {
    case 'not_approved':
      throw new AppError('TEMPLATE_NOT_APPROVED', `WhatsApp template ${name} is not approved in ${language} (Meta: ${verdict.status})`, {
        field: 'notificationTemplate',
        name,
        language,
        status: verdict.status,
      });
    case 'parameters_mismatch':
      throw new AppError(
        'TEMPLATE_PARAMETERS_MISMATCH',
        `WhatsApp template ${name} takes ${verdict.found} body parameters; notifications fill ${verdict.expected} (name, tasks, spins, link)`,
        { field: 'notificationTemplate', name, language, expected: verdict.expected, found: verdict.found },
      );
    case 'usable': {
      const warnings: CampaignWarning[] =
        verdict.category === 'MARKETING'
          ? [
              {
                code: 'MARKETING_TEMPLATE',
                message:
                  'a MARKETING template is capped per user by WhatsApp (error 131049) and charged as marketing; a UTILITY template suits a message about spins the user earned',
              },
            ]
          : [];
      return { columns: { notificationTemplateCategory: verdict.category, notificationTemplateStatus: verdict.status }, warnings };
    }
    default: {
      const unknown: never = verdict;
      throw new Error(`unknown template verdict ${JSON.stringify(unknown)}`);
    }
  }
}
