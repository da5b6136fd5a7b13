// Bearer JWTs, HS256 only: `alg: none`, other HMAC sizes and asymmetric algorithms are rejected,
// so a token's header can never choose how it is checked. Every token must expire (`exp`), no later
// than its role allows (a leaked end-user token is worth a day at most), and carry our `iss` / `aud`
// when those are configured, so a token minted for another service with the same key is refused.
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { AppError } from './errors.js';

export const ROLES = ['platform_admin', 'tenant_admin', 'end_user'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly userId: string;
  readonly role: Role;
  /** Present for every role but platform_admin */
  readonly tenantId: string | undefined;
}

// Ids end up in SQL parameters: printable, bounded, so a crafted claim is a 401 rather than a 500.
const idClaim = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7E]+$/);

const claimsSchema = z
  .object({
    sub: idClaim,
    role: z.enum(ROLES),
    tenantId: idClaim.optional(),
    exp: z.number().finite(),
  })
  .refine((claims) => claims.role === 'platform_admin' || claims.tenantId !== undefined, {
    message: 'tenantId is required for this role',
  });

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}

/** How tokens are checked and issued; built from the config by jwtSettingsOf. */
export interface JwtSettings {
  readonly secret: string;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Longest accepted `exp - now` per role; a token that claims to live longer is refused */
  readonly maxLifetimeMs?: { readonly endUser: number; readonly admin: number } | undefined;
}

export function jwtSettingsOf(config: AppConfig): JwtSettings {
  return { secret: config.jwtSecret, issuer: config.jwtIssuer, audience: config.jwtAudience, maxLifetimeMs: config.jwtMaxLifetimeMs };
}

const settingsOf = (settings: JwtSettings | string): JwtSettings => (typeof settings === 'string' ? { secret: settings } : settings);

export function verifyAccessToken(token: string, jwtSettings: JwtSettings | string, now: number = Date.now()): Principal {
  const settings = settingsOf(jwtSettings);
  let payload: unknown;
  try {
    payload = jwt.verify(token, settings.secret, {
      algorithms: ['HS256'],
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
      ...(settings.audience ? { audience: settings.audience } : {}),
    });
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw new AppError('UNAUTHENTICATED', expired ? 'token expired' : 'invalid token', undefined, { cause: error });
  }
  if (typeof payload !== 'object' || payload === null || !('exp' in payload)) {
    throw new AppError('UNAUTHENTICATED', 'token has no expiry (exp)');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new AppError('UNAUTHENTICATED', 'token claims are invalid');
  const cap = settings.maxLifetimeMs && (claims.data.role === 'end_user' ? settings.maxLifetimeMs.endUser : settings.maxLifetimeMs.admin);
  if (cap !== undefined && claims.data.exp * 1000 - now > cap + CLOCK_SKEW_MS) {
    throw new AppError('UNAUTHENTICATED', `token lives longer than a ${claims.data.role} token may`);
  }
  return { userId: claims.data.sub, role: claims.data.role, tenantId: claims.data.tenantId };
}

// Tokens minted elsewhere a moment ago with a slightly faster clock are still fine.
const CLOCK_SKEW_MS = 60_000;

export function signAccessToken(
  principal: { userId: string; role: Role; tenantId?: string },
  jwtSettings: JwtSettings | string,
  expiresInSeconds: number,
): { token: string; expiresAt: Date } {
  const settings = settingsOf(jwtSettings);
  const token = jwt.sign({ role: principal.role, ...(principal.tenantId ? { tenantId: principal.tenantId } : {}) }, settings.secret, {
    algorithm: 'HS256',
    subject: principal.userId,
    expiresIn: expiresInSeconds,
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
  });
  return { token, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
}

export function authenticate(jwtSettings: JwtSettings | string) {
  const settings = settingsOf(jwtSettings);
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
    req.principal = verifyAccessToken(match[1]!, settings);
    next();
  };
}

/**
 * A token whose tenant no longer exists is not a session of anyone: 401, before any route writes
 * rows that point at a missing tenant.
 */
export function requireLiveTenant(db: Database) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const principal = req.principal;
    const tenantId = principal?.tenantId;
    if (principal && tenantId !== undefined) {
      // One round-trip: the tenant is alive, and (an end user's token) its person was not erased —
      // an erased end user's tokens stop working at once.
      const endUserId = principal.role === 'end_user' ? principal.userId : null;
      const [state] = await db.$queryRaw<Array<{ live: boolean; erased: boolean }>>`
        SELECT EXISTS (SELECT 1 FROM "Tenant" WHERE id = ${tenantId}) AS live,
               EXISTS (SELECT 1 FROM "EndUser" WHERE id = ${endUserId} AND "tenantId" = ${tenantId} AND "erasedAt" IS NOT NULL) AS erased`;
      if (!state?.live) throw new AppError('UNAUTHENTICATED', 'the tenant of this token no longer exists');
      if (state.erased) throw new AppError('UNAUTHENTICATED', 'the end user of this token was erased');
    }
    next();
  };
}

export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = req.principal;
    if (!principal) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
    if (!roles.includes(principal.role)) throw new AppError('FORBIDDEN', `requires role ${roles.join(' or ')}`);
    next();
  };
}

/** The caller's tenant, from the verified token only. */
export function tenantIdOf(req: Request): string {
  const tenantId = req.principal?.tenantId;
  if (!tenantId) throw new AppError('FORBIDDEN', 'this endpoint needs a tenant-scoped token');
  return tenantId;
}
