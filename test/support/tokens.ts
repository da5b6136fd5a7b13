import jwt from 'jsonwebtoken';
import { signAccessToken } from '../../src/http/auth.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-at-least-32-characters-long';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** What BASE_TEST_ENV sets as JWT_ISSUER / JWT_AUDIENCE: test tokens carry them, like production tokens. */
export const TEST_JWT_ISSUER = 'social-tasks-test';
export const TEST_JWT_AUDIENCE = 'social-tasks-api';

const settings = (secret: string) => ({ secret, issuer: TEST_JWT_ISSUER, audience: TEST_JWT_AUDIENCE });

export const tokens = {
  platformAdmin: (secret = TEST_JWT_SECRET) => signAccessToken({ userId: 'platform-admin', role: 'platform_admin' }, settings(secret), 3600).token,
  tenantAdmin: (tenantId: string, secret = TEST_JWT_SECRET, userId = `admin-of-${tenantId}`) =>
    signAccessToken({ userId, role: 'tenant_admin', tenantId }, settings(secret), 3600).token,
  endUser: (tenantId: string, endUserId: string, secret = TEST_JWT_SECRET) =>
    signAccessToken({ userId: endUserId, role: 'end_user', tenantId }, settings(secret), 3600).token,
  /** Anything jsonwebtoken can sign, for forged-token tests; the test issuer and audience unless overridden. */
  raw: (payload: object, secret: string, options: jwt.SignOptions) =>
    jwt.sign(payload, secret, { issuer: TEST_JWT_ISSUER, audience: TEST_JWT_AUDIENCE, ...options }),
};
