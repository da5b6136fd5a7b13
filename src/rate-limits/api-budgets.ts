// The API's request budgets: which keys, limits and windows each limited route charges.
import type { AppConfig } from '../config.js';
import type { Budget } from './request-budget.js';

export const LIMIT_NAMES = ['claims_per_user', 'claims_per_tenant', 'timeline_reads'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

/** A claim start: the end user's budget first, so a user over their own limit never spends the tenant's. */
export function claimBudgets(config: AppConfig, tenantId: string, endUserId: string): Budget[] {
  return [
    {
      key: `claims:user:${tenantId}:${endUserId}`,
      limit: config.rateLimits.claimsPerUserPerMinute,
      windowMs: MINUTE_MS,
      limitName: 'claims_per_user',
      tenantId,
    },
    {
      key: `claims:tenant:${tenantId}`,
      limit: config.rateLimits.claimsPerTenantPerSecond,
      windowMs: SECOND_MS,
      limitName: 'claims_per_tenant',
      tenantId,
    },
  ];
}

/** A timeline read (a Temporal query and a history fetch): per caller, admin or end user. */
export function timelineReadBudgets(config: AppConfig, tenantId: string, callerId: string): Budget[] {
  return [
    {
      key: `timeline:${tenantId}:${callerId}`,
      limit: config.rateLimits.timelineReadsPerCallerPerMinute,
      windowMs: MINUTE_MS,
      limitName: 'timeline_reads',
      tenantId,
    },
  ];
}

/** The limits as the tenant admin sees them. */
export function limitsOf(config: AppConfig) {
  return {
    claimsPerUserPerMinute: config.rateLimits.claimsPerUserPerMinute,
    claimsPerTenantPerSecond: config.rateLimits.claimsPerTenantPerSecond,
    timelineReadsPerCallerPerMinute: config.rateLimits.timelineReadsPerCallerPerMinute,
  };
}
