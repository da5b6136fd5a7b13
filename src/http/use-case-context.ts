// What every use case in src/features receives besides its typed input: the process's deps and
// who is asking, as verified from the token. A use case is `(ctx, input)`; the route builds ctx
// here and parses the body/query with the schema kept beside it, before anything reads the database.
import type { Request } from 'express';
import { scopeToTenant, type TenantDatabase } from '../db/tenant-scope.js';
import { AppError } from './errors.js';
import { tenantIdOf, type Role } from './auth.js';
import type { AppDeps } from './deps.js';

/** The verified caller: the token's subject and role. */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
}

/** A platform admin's request: no tenant, the unscoped database through deps. */
export interface PlatformContext {
  readonly deps: AppDeps;
  readonly actor: Actor;
}

/** A request of one tenant: its id from the token and the database scoped to it. */
export interface TenantContext extends PlatformContext {
  readonly tenantId: string;
  readonly db: TenantDatabase;
}

function actorOf(req: Request): Actor {
  const principal = req.principal;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
  return { userId: principal.userId, role: principal.role };
}

export function platformContext(deps: AppDeps, req: Request): PlatformContext {
  return { deps, actor: actorOf(req) };
}

/** 403 for a token without a tenant (a platform admin's). */
export function tenantContext(deps: AppDeps, req: Request): TenantContext {
  const tenantId = tenantIdOf(req);
  return { deps, actor: actorOf(req), tenantId, db: scopeToTenant(deps.db, tenantId) };
}
