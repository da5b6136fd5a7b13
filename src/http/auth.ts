// Bearer JWTs, HS256 only: `alg: none`, other HMAC sizes and asymmetric algorithms are rejected,
// so a token's header can never choose how it is checked.
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from './errors.js';

export const ROLES = ['platform_admin', 'tenant_admin', 'end_user'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly userId: string;
  readonly role: Role;
  /** Present for every role but platform_admin */
  readonly tenantId: string | undefined;
}

const claimsSchema = z
  .object({
    sub: z.string().min(1),
    role: z.enum(ROLES),
    tenantId: z.string().min(1).optional(),
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

export function verifyAccessToken(token: string, secret: string): Principal {
  let payload: unknown;
  try {
    payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw new AppError('UNAUTHENTICATED', expired ? 'token expired' : 'invalid token', undefined, { cause: error });
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new AppError('UNAUTHENTICATED', 'token claims are invalid');
  return { userId: claims.data.sub, role: claims.data.role, tenantId: claims.data.tenantId };
}

export function signAccessToken(
  principal: { userId: string; role: Role; tenantId?: string },
  secret: string,
  expiresInSeconds: number,
): { token: string; expiresAt: Date } {
  const token = jwt.sign(
    { role: principal.role, ...(principal.tenantId ? { tenantId: principal.tenantId } : {}) },
    secret,
    { algorithm: 'HS256', subject: principal.userId, expiresIn: expiresInSeconds },
  );
  return { token, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
}

export function authenticate(secret: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
    req.principal = verifyAccessToken(match[1]!, secret);
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
