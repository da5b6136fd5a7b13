// The settings use cases, not their routes, request the webhook subscription when Meta credentials
// are written: called directly (no HTTP), a write of metaConfig records a new requested version and
// starts its workflow; a write without metaConfig requests nothing. Real PostgreSQL, real Temporal
// (no worker: the started workflow just waits).
import { scopeToTenant } from '../../src/db/tenant-scope.js';
import { putPlatformSettings, resubscribePlatformWebhooks } from '../../src/features/settings/platform-settings.js';
import { putTenantSettings, resubscribeTenantWebhooks } from '../../src/features/settings/tenant-settings.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ worker: false });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

const subscription = (ownerKey: string) => system.deps.db.metaWebhookSubscription.findUnique({ where: { ownerKey } });

test('a tenant settings write with Meta credentials requests the subscription and starts it; other writes and a resubscribe behave', async () => {
  const tenant = await system.deps.db.tenant.create({ data: { name: 'Use case', slug: 'settings-use-case' } });
  const ctx = {
    deps: system.deps,
    actor: { userId: 'admin-1', role: 'tenant_admin' as const },
    tenantId: tenant.id,
    db: scopeToTenant(system.deps.db, tenant.id),
  };
  const ownerKey = `tenant:${tenant.id}`;
  expect(await subscription(ownerKey)).toBeNull();

  await putTenantSettings(ctx, { metaConfig: { instagramAccountId: '17841400000000001', instagramToken: 'instagram-token-of-use-case' } });
  const requested = await subscription(ownerKey);
  expect(requested).toMatchObject({ status: 'PENDING', requestedVersion: 1, startedVersion: 1 });

  await putTenantSettings(ctx, { timezone: 'America/Lima' });
  expect((await subscription(ownerKey))?.requestedVersion).toBe(1);

  await resubscribeTenantWebhooks(ctx);
  expect(await subscription(ownerKey)).toMatchObject({ status: 'PENDING', requestedVersion: 2, startedVersion: 2 });
});

test('every platform settings write requests the platform subscription (NOT_CONFIGURED without credentials)', async () => {
  const ctx = { deps: system.deps, actor: { userId: 'platform-1', role: 'platform_admin' as const } };
  await putPlatformSettings(ctx, { metaConfig: null });
  expect(await subscription('platform')).toMatchObject({ status: 'NOT_CONFIGURED', requestedVersion: 1 });
  await resubscribePlatformWebhooks(ctx);
  expect((await subscription('platform'))?.requestedVersion).toBe(2);
});
