// PATCH /tenants/:id (platform_admin): what the platform grants a tenant. Today one thing: whether
// its notifications may fall through to the platform's WhatsApp provider when it has no channel
// of its own (activities/notification-channel.ts). Off by default: the platform's number sends
// only what tenants a platform admin trusts write.
import { notFound } from '../../http/errors.js';
import type { PlatformContext } from '../../http/use-case-context.js';
import type { UpdateTenantInput } from './tenant-input.js';

export async function updateTenant(ctx: PlatformContext, { tenantId, changes }: { tenantId: string; changes: UpdateTenantInput }) {
  const { count } = await ctx.deps.db.tenant.updateMany({ where: { id: tenantId }, data: changes });
  if (count === 0) throw notFound('tenant');
  const tenant = await ctx.deps.db.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw notFound('tenant');
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    timezone: tenant.timezone,
    platformWhatsappAllowed: tenant.platformWhatsappAllowed,
  };
}
