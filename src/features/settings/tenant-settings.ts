import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { AppError, notFound } from '../../http/errors.js';
import { parseInput } from '../../http/validation.js';
import { timeZoneSchema } from '../tenants/create-tenant.js';
import {
  mergeMetaConfig, metaConfigInput, openConfig, showMetaConfig, showWaConfig, waConfigInput,
  type MetaConfig, type WaConfig,
} from './stored-configs.js';

const putSettingsSchema = z
  .object({
    timezone: timeZoneSchema.optional(),
    waConfig: waConfigInput.nullable().optional(),
    metaConfig: metaConfigInput.nullable().optional(),
  })
  .strict();

export async function getTenantSettings(db: TenantDatabase, secrets: SecretBox, tenantId: string) {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw notFound('tenant');
  return {
    timezone: tenant.timezone,
    waConfig: showWaConfig(openConfig<WaConfig>(secrets, tenant.waConfig)),
    metaConfig: showMetaConfig(openConfig<MetaConfig>(secrets, tenant.metaConfig)),
  };
}

/** Fields left out of the body are unchanged; `null` removes a config. */
export async function putTenantSettings(db: TenantDatabase, secrets: SecretBox, tenantId: string, body: unknown) {
  const input = parseInput(putSettingsSchema, body);
  const tenant = await db.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw notFound('tenant');
  const data: { timezone?: string; waConfig?: string | null; metaConfig?: string | null } = {};
  if (input.timezone !== undefined) data.timezone = input.timezone;
  if (input.waConfig === null) data.waConfig = null;
  else if (input.waConfig) {
    const stored = openConfig<WaConfig>(secrets, tenant.waConfig);
    const apiKey = input.waConfig.apiKey ?? stored?.apiKey;
    if (!apiKey) throw new AppError('VALIDATION_FAILED', 'invalid request body', [{ path: 'waConfig.apiKey', message: 'required' }]);
    data.waConfig = secrets.sealJson({ ...input.waConfig, apiKey } satisfies WaConfig);
  }
  if (input.metaConfig === null) data.metaConfig = null;
  else if (input.metaConfig) {
    data.metaConfig = secrets.sealJson(mergeMetaConfig(input.metaConfig, openConfig<MetaConfig>(secrets, tenant.metaConfig)));
  }
  await db.tenant.update({ where: { id: tenantId }, data });
  return getTenantSettings(db, secrets, tenantId);
}
