// Meta credentials that can check a claim or a task: the tenant's own first, then the platform's.
// Loaded and decrypted where they are used (an activity, an API request), from ids: they never
// cross the Temporal boundary.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import { openConfig, type MetaConfig } from '../features/settings/stored-configs.js';

export interface CredentialSource {
  readonly method: 'TENANT_META_API' | 'PLATFORM_META_API';
  readonly credentials: MetaConfig;
}

export async function loadMetaCredentialSources(db: Database, secrets: SecretBox, tenantId: string): Promise<CredentialSource[]> {
  const [tenant, platform] = await Promise.all([
    db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { metaConfig: true } }),
    db.platformSettings.findUnique({ where: { id: 1 }, select: { metaConfig: true } }),
  ]);
  return [
    { method: 'TENANT_META_API', credentials: openConfig<MetaConfig>(secrets, tenant.metaConfig) ?? {} },
    { method: 'PLATFORM_META_API', credentials: openConfig<MetaConfig>(secrets, platform?.metaConfig ?? null) ?? {} },
  ];
}
