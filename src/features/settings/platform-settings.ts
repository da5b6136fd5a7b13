// The platform's own Meta credentials (used when a tenant has none). One row, id 1.
import type { PlatformContext } from '../../http/use-case-context.js';
import { openConfig, type MetaCredentials } from '../../tenant-config/stored-configs.js';
import { mergeMetaConfig, showMetaConfig, type PutPlatformSettingsInput } from './config-input.js';

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
  return getPlatformSettings(ctx);
}
