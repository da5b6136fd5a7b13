// A session for the tenant's campaign site: a short-lived end_user JWT naming the user and tenant.
import type { TenantDatabase } from '../../db/tenant-scope.js';
import { signAccessToken, type JwtSettings } from '../../http/auth.js';
import { findEndUserOr404 } from './get-end-user.js';

export const END_USER_SESSION_SECONDS = 60 * 60;

export async function createEndUserSession(db: TenantDatabase, tenantId: string, endUserId: string, jwt: JwtSettings) {
  const user = await findEndUserOr404(db, endUserId);
  const { token, expiresAt } = signAccessToken({ userId: user.id, role: 'end_user', tenantId }, jwt, END_USER_SESSION_SECONDS);
  return { token, expiresAt: expiresAt.toISOString() };
}
