import { AppError } from '../../http/errors.js';
import type { PlatformContext } from '../../http/use-case-context.js';
import type { CreateTenantInput } from './tenant-input.js';

export async function createTenant(ctx: PlatformContext, data: CreateTenantInput) {
  try {
    const tenant = await ctx.deps.db.tenant.create({ data: { name: data.name, slug: data.slug, timezone: data.timezone ?? 'UTC' } });
    return { id: tenant.id, name: tenant.name, slug: tenant.slug, timezone: tenant.timezone };
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('CONFLICT', `a tenant with slug "${data.slug}" already exists`, undefined, { cause: error });
    }
    throw error;
  }
}
