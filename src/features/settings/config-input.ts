// The PUT bodies of the sealed configs, how a PUT merges over what is stored, and how each config
// is shown without its secrets.
import { z } from 'zod';
import { maskSecret } from '../../crypto/secret-box.js';
import type { EventsWebhookConfig, MetaCredentials, WaConfig } from '../../tenant-config/stored-configs.js';
import { timeZoneSchema } from '../tenants/tenant-input.js';

const httpUrl = z
  .string()
  .trim()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), { message: 'must be an http(s) URL' });
const secret = z.string().trim().min(1).max(4096);
const id = z.string().trim().min(1).max(100);

/** In a PUT a secret may be omitted to keep the stored one (dashboards never see it to send back). */
export const waConfigInput = z
  .object({ apiUrl: httpUrl, apiKey: secret.optional(), sender: z.string().trim().max(100).optional(), instanceId: id.optional() })
  .strict();

export const metaConfigInput = z
  .object({ facebookPageId: id.optional(), facebookToken: secret.optional(), instagramAccountId: id.optional(), instagramToken: secret.optional() })
  .strict();

/** The tenant's events webhook; the secret (HMAC key) may be omitted to keep the stored one on the same origin. */
export const eventsWebhookInput = z.object({ url: httpUrl, secret: z.string().trim().min(16).max(256).optional() }).strict();

/** PUT /tenant/settings: fields left out are unchanged; `null` removes a config. */
export const putTenantSettingsSchema = z
  .object({
    timezone: timeZoneSchema.optional(),
    waConfig: waConfigInput.nullable().optional(),
    metaConfig: metaConfigInput.nullable().optional(),
    /** Signed claim and notification events to the tenant's systems */
    eventsWebhook: eventsWebhookInput.nullable().optional(),
    /** End users without a recorded WhatsApp opt-in get no message */
    requireWhatsappOptIn: z.boolean().optional(),
    /** Whole-message words (case-insensitive) that record an opt-out when an end user sends one */
    whatsappOptOutKeywords: z.array(z.string().trim().min(1).max(30)).min(1).max(20).optional(),
  })
  .strict();
export type PutTenantSettingsInput = z.infer<typeof putTenantSettingsSchema>;

/** PUT /platform/settings */
export const putPlatformSettingsSchema = z.object({ metaConfig: metaConfigInput.nullable() }).strict();
export type PutPlatformSettingsInput = z.infer<typeof putPlatformSettingsSchema>;

function maskedSecret(value: string | undefined) {
  return value ? { configured: true, masked: maskSecret(value) } : { configured: false };
}

export function showEventsWebhook(config: EventsWebhookConfig | null, disabled: { at: Date | null; reason: string | null }) {
  if (!config) return null;
  return {
    url: config.url,
    secret: maskedSecret(config.secret),
    /** A receiver that answered 410 Gone disabled it; writing eventsWebhook again enables it */
    disabled: disabled.at ? { at: disabled.at.toISOString(), reason: disabled.reason } : null,
  };
}

export function showWaConfig(config: WaConfig | null) {
  if (!config) return null;
  return { apiUrl: config.apiUrl, apiKey: maskedSecret(config.apiKey), sender: config.sender ?? null, instanceId: config.instanceId ?? null };
}

export function showMetaConfig(config: MetaCredentials | null) {
  if (!config) return null;
  return {
    facebookPageId: config.facebookPageId ?? null,
    facebookToken: maskedSecret(config.facebookToken),
    instagramAccountId: config.instagramAccountId ?? null,
    instagramToken: maskedSecret(config.instagramToken),
  };
}

/** Merge a PUT's meta config over the stored one: omitted secrets keep their stored value. */
export function mergeMetaConfig(input: z.infer<typeof metaConfigInput>, stored: MetaCredentials | null): MetaCredentials {
  return {
    facebookPageId: input.facebookPageId,
    facebookToken: input.facebookToken ?? (input.facebookPageId === stored?.facebookPageId ? stored?.facebookToken : undefined),
    instagramAccountId: input.instagramAccountId,
    instagramToken: input.instagramToken ?? (input.instagramAccountId === stored?.instagramAccountId ? stored?.instagramToken : undefined),
  };
}
