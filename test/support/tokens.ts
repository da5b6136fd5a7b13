import jwt from 'jsonwebtoken';
import { signAccessToken } from '../../src/http/auth.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-at-least-32-characters-long';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export const tokens = {
  platformAdmin: (secret = TEST_JWT_SECRET) => signAccessToken({ userId: 'platform-admin', role: 'platform_admin' }, secret, 3600).token,
  tenantAdmin: (tenantId: string, secret = TEST_JWT_SECRET) =>
    signAccessToken({ userId: `admin-of-${tenantId}`, role: 'tenant_admin', tenantId }, secret, 3600).token,
  endUser: (tenantId: string, endUserId: string, secret = TEST_JWT_SECRET) =>
    signAccessToken({ userId: endUserId, role: 'end_user', tenantId }, secret, 3600).token,
  /** Anything jsonwebtoken can sign, for forged-token tests. */
  raw: (payload: object, secret: string, options: jwt.SignOptions) => jwt.sign(payload, secret, options),
};
