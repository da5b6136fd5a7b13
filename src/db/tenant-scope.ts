// The only way routes reach tenant-owned tables: a Prisma client extension that puts the tenant
// filter inside every query on those models, so a forgotten `where: { tenantId }` cannot leak
// another tenant's rows. Creating a scope without a tenant id throws.
import type { Database } from './client.js';

/** Models with a `tenantId` column. Tenant itself is reached by id (`tenant.findUnique`). */
const TENANT_OWNED = new Set([
  'EndUser',
  'Campaign',
  'SocialMediaTask',
  'Claim',
  'SpinCredit',
  'WhatsappAccount',
  'WebhookEvent',
  'OAuthState',
  'EvidenceUse',
  'EndUserHandle',
  'EndUserAuditEntry',
  'TenantEvent',
]);

const FILTERED_OPERATIONS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
  'upsert',
]);

export class TenantScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantScopeError';
  }
}

export function scopeToTenant(db: Database, tenantId: string) {
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw new TenantScopeError('a tenant scope needs the tenant id from the verified token');
  }
  return db.$extends({
    name: 'tenant-scope',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (!TENANT_OWNED.has(model)) {
            if (model === 'Tenant' && operation !== 'findUnique' && operation !== 'update') {
              throw new TenantScopeError(`Tenant.${operation} is not available in a tenant scope`);
            }
            if (model === 'Tenant') {
              const where = (args as { where?: { id?: string } }).where;
              if (where?.id !== tenantId) throw new TenantScopeError('a tenant scope may only read its own tenant');
            }
            return query(args);
          }
          const scoped = { ...(args as Record<string, unknown>) };
          for (const key of WRITTEN_DATA[operation] ?? []) refuseOtherTenant(scoped[key], tenantId, 0);
          if (FILTERED_OPERATIONS.has(operation)) {
            scoped.where = { ...((scoped.where as object | undefined) ?? {}), tenantId };
          }
          if (operation === 'create' || operation === 'upsert') {
            const key = operation === 'create' ? 'data' : 'create';
            scoped[key] = withTenant(scoped[key], tenantId);
          }
          if (operation === 'createMany' || operation === 'createManyAndReturn') {
            const data = scoped.data;
            scoped.data = Array.isArray(data) ? data.map((row) => withTenant(row, tenantId)) : withTenant(data, tenantId);
          }
          return query(scoped as typeof args);
        },
      },
    },
  });
}

/** The arguments of each write that carry row data (nested writes included). */
const WRITTEN_DATA: Record<string, string[]> = {
  create: ['data'],
  createMany: ['data'],
  createManyAndReturn: ['data'],
  update: ['data'],
  updateMany: ['data'],
  updateManyAndReturn: ['data'],
  upsert: ['create', 'update'],
};

/**
 * The where-filter keeps a write on this tenant's rows, but the data could still move a row (or a
 * nested one) to another tenant: `tenantId: other`, `tenantId: {set: other}`, `tenant: {connect:
 * {id: other}}`, or a nested connect/create naming another tenant. Any of them is refused.
 */
function refuseOtherTenant(value: unknown, tenantId: string, depth: number): void {
  if (depth > 12 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) refuseOtherTenant(item, tenantId, depth + 1);
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'tenantId') {
      const named = inner !== null && typeof inner === 'object' && 'set' in inner ? (inner as { set: unknown }).set : inner;
      if (typeof named === 'string' && named !== tenantId) throw new TenantScopeError('refusing to write a row for another tenant');
    } else if (key === 'tenant' && inner !== null && typeof inner === 'object') {
      for (const link of ['connect', 'connectOrCreate'] as const) {
        const target = (inner as Record<string, { id?: unknown; where?: { id?: unknown } } | undefined>)[link];
        const id = target?.id ?? target?.where?.id;
        if (id !== undefined && id !== tenantId) throw new TenantScopeError('refusing to connect a row to another tenant');
      }
    }
    refuseOtherTenant(inner, tenantId, depth + 1);
  }
}

function withTenant(data: unknown, tenantId: string): unknown {
  const row = { ...((data as Record<string, unknown>) ?? {}) };
  if (row.tenantId !== undefined && row.tenantId !== tenantId) {
    throw new TenantScopeError('refusing to write a row for another tenant');
  }
  row.tenantId = tenantId;
  return row;
}

export type TenantDatabase = ReturnType<typeof scopeToTenant>;
