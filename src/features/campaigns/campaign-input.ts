// The campaign fields a tenant admin may write, shared by create and PATCH so both validate alike;
// the bodies and query the routes parse; the account checks both writes make.
import { z } from 'zod';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { AppError } from '../../http/errors.js';
import { pageQueryFields } from '../../http/pagination.js';
import { timeZoneSchema } from '../tenants/tenant-input.js';
import { violatedForeignKey } from '../../db/prisma-errors.js';

const hour = z.number().int().min(0).max(23);

/** A WhatsApp message template as Meta names them: lowercase letters, digits, underscores; a locale code. */
const templateSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(512)
      .regex(/^[a-z0-9_]+$/, 'lowercase letters, digits and underscores'),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$/, 'a template language code such as en, en_US or pt_BR'),
  })
  .strict();

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const campaignFields = {
  name: z.string().trim().min(1).max(200),
  /** null: the tenant's zone */
  timezone: timeZoneSchema.nullable(),
  notificationEnabled: z.boolean(),
  notificationStartHour: hour,
  notificationEndHour: hour,
  whatsappAccountId: z.string().trim().min(1).max(100).nullable(),
  notificationTemplate: templateSchema.nullable(),
  endsAt: instant.nullable(),
};

export type CampaignInput = { [K in keyof typeof campaignFields]?: z.infer<(typeof campaignFields)[K]> };

export const createCampaignSchema = z
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
export type CreateCampaignInput = z.infer<typeof createCampaignSchema>;

/** Fields left out are unchanged; `null` clears the nullable ones (timezone, account, template, endsAt). */
export const patchCampaignSchema = z.object(campaignFields).partial().strict();
export type PatchCampaignInput = z.infer<typeof patchCampaignSchema>;

// Unknown query parameters are ignored (a `tenantId` among them selects nothing).
export const listCampaignsQuery = z.object({ ...pageQueryFields });
export type ListCampaignsQuery = z.infer<typeof listCampaignsQuery>;

/** The columns a (partial) input writes; fields left out are not touched. */
export function campaignColumns(input: CampaignInput) {
  const { notificationTemplate, ...rest } = input;
  return {
    ...rest,
    ...(notificationTemplate === undefined
      ? {}
      : {
          notificationTemplateName: notificationTemplate?.name ?? null,
          notificationTemplateLanguage: notificationTemplate?.language ?? null,
        }),
  };
}

const invalid = (message: string) => new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'whatsappAccountId', message }]);

/** The account must be the tenant's own (another tenant's looks absent) and still connected. */
export async function assertUsableWhatsappAccount(db: TenantDatabase, accountId: string): Promise<void> {
  const account = await db.whatsappAccount.findUnique({ where: { id: accountId }, select: { status: true } });
  if (!account) throw invalid('no WhatsApp account with this id');
  if (account.status === 'DISCONNECTED') throw invalid('this WhatsApp account is disconnected; reconnect it first');
}

/** The account vanished between the check and the write: a violation of that one foreign key, no other. */
export function isMissingAccountError(error: unknown): boolean {
  return violatedForeignKey(error) === 'Campaign_whatsappAccountId_fkey';
}

export const missingAccountError = (cause: unknown) =>
  new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'whatsappAccountId', message: 'no WhatsApp account with this id' }], {
    cause,
  });
