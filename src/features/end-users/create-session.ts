// A session for the tenant's campaign site: a short-lived end_user JWT naming the user and tenant.
import { jwtSettingsOf, signAccessToken } from '../../http/auth.js';
import type { TenantContext } from '../../http/use-case-context.js';
import { findEndUserOr404 } from './get-end-user.js';

export const END_USER_SESSION_SECONDS = 60 * 60;

export async function createEndUserSession(ctx: TenantContext, { endUserId }: { endUserId: string }) {
  const user = await findEndUserOr404(ctx.db, endUserId);
  const jwt = jwtSettingsOf(ctx.deps.config);
  const { token, expiresAt } = signAccessToken({ userId: user.id, role: 'end_user', tenantId: ctx.tenantId }, jwt, END_USER_SESSION_SECONDS);
  return { token, expiresAt: expiresAt.toISOString() };
}
