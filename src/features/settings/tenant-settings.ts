import { orNotFound } from '../../db/prisma-errors.js';
import { AppError, notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { forbiddenUrlReason } from '../../integrations/outbound-network.js';
import { openConfig, type EventsWebhookConfig, type MetaCredentials, type WaConfig } from '../../tenant-config/stored-configs.js';
import { requestWebhookSubscription } from '../../webhook-subscriptions/request-subscription.js';
import { mergeMetaConfig, showEventsWebhook, showMetaConfig, showWaConfig, type PutTenantSettingsInput } from './config-input.js';
import { subscribable, tenantOwner } from './webhook-subscription.js';

export async function getTenantSettings(ctx: TenantContext) {
  const { db, tenantId } = ctx;
  const { secrets } = ctx.deps;
  const tenant = await db.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw notFound('tenant');
  return {
    timezone: tenant.timezone,
    waConfig: showWaConfig(openConfig<WaConfig>(secrets, tenant.waConfig)),
    metaConfig: showMetaConfig(openConfig<MetaCredentials>(secrets, tenant.metaConfig)),
    requireWhatsappOptIn: tenant.requireWhatsappOptIn,
    whatsappOptOutKeywords: tenant.whatsappOptOutKeywords,
    eventsWebhook: showEventsWebhook(openConfig<EventsWebhookConfig>(secrets, tenant.eventsWebhook), {
      at: tenant.eventsWebhookDisabledAt,
      reason: tenant.eventsWebhookDisabledReason,
    }),
  };
}

/**
 * Fields left out of the body are unchanged; `null` removes a config. The provider URL is a
 * destination the tenant chooses, so it must pass the outbound-network rule, and a stored key only
 * stays with it while it stays on the same origin (else the key would be sent to the new host).
 */
export async function putTenantSettings(ctx: TenantContext, input: PutTenantSettingsInput) {
  const { db, tenantId } = ctx;
  const { secrets } = ctx.deps;
  const options = { allowPrivateNetworks: ctx.deps.config.outboundAllowPrivateNetworks };
  if (input.waConfig) {
    const forbidden = forbiddenUrlReason(input.waConfig.apiUrl, options);
    if (forbidden) throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'waConfig.apiUrl', message: forbidden }]);
  }
  if (input.eventsWebhook) {
    const forbidden = forbiddenUrlReason(input.eventsWebhook.url, options);
    if (forbidden) throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'eventsWebhook.url', message: forbidden }]);
  }
  const tenant = await db.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw notFound('tenant');
  const data: {
    eventsWebhook?: string | null;
    eventsWebhookDisabledAt?: null;
    eventsWebhookDisabledReason?: null;
    timezone?: string;
    waConfig?: string | null;
    metaConfig?: string | null;
    requireWhatsappOptIn?: boolean;
    whatsappOptOutKeywords?: string[];
  } = {};
  if (input.timezone !== undefined) data.timezone = input.timezone;
  if (input.requireWhatsappOptIn !== undefined) data.requireWhatsappOptIn = input.requireWhatsappOptIn;
  if (input.whatsappOptOutKeywords !== undefined) data.whatsappOptOutKeywords = input.whatsappOptOutKeywords.map((word) => word.toUpperCase());
  if (input.waConfig === null) data.waConfig = null;
  else if (input.waConfig) {
    const stored = openConfig<WaConfig>(secrets, tenant.waConfig);
    const keepsStoredKey = stored !== null && sameOrigin(stored.apiUrl, input.waConfig.apiUrl);
    const apiKey = input.waConfig.apiKey ?? (keepsStoredKey ? stored.apiKey : undefined);
    if (!apiKey) {
      const message = stored ? 'required when apiUrl moves to another origin (the stored key is not sent to a new host)' : 'required';
      throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'waConfig.apiKey', message }]);
    }
    data.waConfig = secrets.sealJson({ ...input.waConfig, apiKey } satisfies WaConfig);
  }
  if (input.eventsWebhook !== undefined) {
    // Any write of the webhook (a fixed URL, a new secret) enables it again after a 410.
    data.eventsWebhookDisabledAt = null;
    data.eventsWebhookDisabledReason = null;
    if (input.eventsWebhook === null) data.eventsWebhook = null;
    else {
      const stored = openConfig<EventsWebhookConfig>(secrets, tenant.eventsWebhook);
      const keepsStoredSecret = stored !== null && sameOrigin(stored.url, input.eventsWebhook.url);
      const secret = input.eventsWebhook.secret ?? (keepsStoredSecret ? stored.secret : undefined);
      if (!secret) {
        const message = stored ? 'required when url moves to another origin (the stored secret is not sent to a new host)' : 'required';
        throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'eventsWebhook.secret', message }]);
      }
      data.eventsWebhook = secrets.sealJson({ url: input.eventsWebhook.url, secret } satisfies EventsWebhookConfig);
    }
  }
  if (input.metaConfig === null) data.metaConfig = null;
  else if (input.metaConfig) {
    data.metaConfig = secrets.sealJson(mergeMetaConfig(input.metaConfig, openConfig<MetaCredentials>(secrets, tenant.metaConfig)));
  }
  await orNotFound(db.tenant.update({ where: { id: tenantId }, data }), 'tenant');
  const view = await getTenantSettings(ctx);
  // Meta credentials written (or removed): (re)subscribe their webhooks in the background.
  if (input.metaConfig !== undefined) await requestWebhookSubscription(ctx.deps, tenantOwner(tenantId), subscribable(view));
  return view;
}

/** Subscribes the tenant's webhooks again (an admin's retry), in the background. */
export async function resubscribeTenantWebhooks(ctx: TenantContext): Promise<void> {
  await requestWebhookSubscription(ctx.deps, tenantOwner(ctx.tenantId), subscribable(await getTenantSettings(ctx)));
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
