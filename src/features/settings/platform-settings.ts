// The platform's own Meta credentials (used when a tenant has none). One row, id 1.
import type { PlatformContext } from '../../http/use-case-context.js';
import { openConfig, type MetaCredentials } from '../../tenant-config/stored-configs.js';
import { requestWebhookSubscription } from '../../webhook-subscriptions/request-subscription.js';
import { mergeMetaConfig, showMetaConfig, type PutPlatformSettingsInput } from './config-input.js';
import { PLATFORM_OWNER, subscribable } from './webhook-subscription.js';

export async function getPlatformSettings(ctx: PlatformContext) {
  const { db, secrets } = ctx.deps;
  const row = await db.platformSettings.findUnique({ where: { id: 1 } });
  return { metaConfig: showMetaConfig(openConfig<MetaCredentials>(secrets, row?.metaConfig ?? null)) };
}

export async function putPlatformSettings(ctx: PlatformContext, input: PutPlatformSettingsInput) {
  const { db, secrets } = ctx.deps;
  const row = await db.platformSettings.findUnique({ where: { id: 1 } });
  const sealed = input.metaConfig
    ? secrets.sealJson(mergeMetaConfig(input.metaConfig, openConfig<MetaCredentials>(secrets, row?.metaConfig ?? null)))
    : null;
  await db.platformSettings.upsert({ where: { id: 1 }, create: { id: 1, metaConfig: sealed }, update: { metaConfig: sealed } });
  const view = await getPlatformSettings(ctx);
  // Every PUT writes the Meta credentials: (re)subscribe their webhooks in the background.
  await requestWebhookSubscription(ctx.deps, PLATFORM_OWNER, subscribable(view));
  return view;
}

/** Subscribes the platform's webhooks again (an admin's retry), in the background. */
export async function resubscribePlatformWebhooks(ctx: PlatformContext): Promise<void> {
  await requestWebhookSubscription(ctx.deps, PLATFORM_OWNER, subscribable(await getPlatformSettings(ctx)));
}
