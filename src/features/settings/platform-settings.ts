// The platform's own Meta credentials (used when a tenant has none). One row, id 1.
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Database } from '../../db/client.js';
import { parseInput } from '../../http/validation.js';
import { openConfig, type MetaCredentials } from '../../tenant-config/stored-configs.js';
import { mergeMetaConfig, metaConfigInput, showMetaConfig } from './config-input.js';

const putSchema = z.object({ metaConfig: metaConfigInput.nullable() }).strict();

export async function getPlatformSettings(db: Database, secrets: SecretBox) {
  const row = await db.platformSettings.findUnique({ where: { id: 1 } });
  return { metaConfig: showMetaConfig(openConfig<MetaCredentials>(secrets, row?.metaConfig ?? null)) };
}

export async function putPlatformSettings(db: Database, secrets: SecretBox, body: unknown) {
  const input = parseInput(putSchema, body);
  const row = await db.platformSettings.findUnique({ where: { id: 1 } });
  const sealed = input.metaConfig
    ? secrets.sealJson(mergeMetaConfig(input.metaConfig, openConfig<MetaCredentials>(secrets, row?.metaConfig ?? null)))
    : null;
  await db.platformSettings.upsert({ where: { id: 1 }, create: { id: 1, metaConfig: sealed }, update: { metaConfig: sealed } });
  return getPlatformSettings(db, secrets);
}
