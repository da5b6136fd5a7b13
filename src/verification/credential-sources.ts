// Meta credentials that can check a claim or a task: the tenant's own first, then the platform's.
// Loaded and decrypted where they are used (an activity, an API request), from ids: they never
// cross the Temporal boundary.
import type { MetaVerificationMethod } from '../domain/statuses.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/client.js';
import { openConfig, type MetaCredentials } from '../tenant-config/stored-configs.js';

export interface CredentialSource {
  readonly method: MetaVerificationMethod;
  readonly credentials: MetaCredentials;
}

export async function loadMetaCredentialSources(db: Database, secrets: SecretBox, tenantId: string): Promise<CredentialSource[]> {
  const [tenant, platform] = await Promise.all([
    db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { metaConfig: true } }),
    db.platformSettings.findUnique({ where: { id: 1 }, select: { metaConfig: true } }),
  ]);
  return [
    { method: 'TENANT_META_API', credentials: openConfig<MetaCredentials>(secrets, tenant.metaConfig) ?? {} },
    { method: 'PLATFORM_META_API', credentials: openConfig<MetaCredentials>(secrets, platform?.metaConfig ?? null) ?? {} },
  ];
}
