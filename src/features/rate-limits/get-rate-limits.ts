// The tenant admin's view of the request limits: what they are, and how many requests of the
// tenant's end users and admins they refused (last 24 hours and all time, per limit).
import type { TenantContext } from '../../http/use-case-context.js';
import { limitsOf } from '../../rate-limits/api-budgets.js';
import { rejectionCountsOf } from '../../rate-limits/rejection-counts.js';

export async function getRateLimits(ctx: TenantContext) {
  return { limits: limitsOf(ctx.deps.config), rejected: await rejectionCountsOf(ctx.deps.db, ctx.tenantId) };
}
