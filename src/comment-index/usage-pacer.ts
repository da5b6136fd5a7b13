// Pacing of comment-index crawls by Meta's own usage headers, one budget per key: the crawls pass
// the token they use (activities/comment-index.ts), because Meta counts usage per token and app, and
// tenants without credentials share the platform's token. (The methods' parameter, `tenantId`, is
// that budget key.)
//  - X-App-Usage: {call_count, total_cputime, total_time} in percent of the app's hourly budget.
//  - X-Business-Use-Case-Usage (Instagram and Pages BUC): {"<id>": [{type, call_count,
//    total_cputime, total_time, estimated_time_to_regain_access (minutes)}]}.
// Below SLOW_DOWN_AT percent a crawl runs at full speed; from there the pause before each call
// grows with the square of how close the budget is to 100 %, so the crawl slows before Meta
// throttles. Once Meta names a regain time (headers, or a throttling error), nothing of that
// tenant is called before it has passed; once it has, the budget is Meta's again, so the usage seen
// with the throttling (100 %) no longer slows the next calls (their own headers say what is used).
import { retryAfterMsFromMetaHeaders, type HeaderBag } from '../integrations/meta/rate-limit-headers.js';

export const SLOW_DOWN_AT = 70;
/** The pause before each call when the busiest budget is at 100 %. */
export const MAX_PAUSE_MS = 30_000;

interface TenantUsage {
  /** Highest usage percent in the last response that carried usage headers */
  percent: number;
  /** No call before this (epoch ms): Meta's regain time */
  blockedUntil: number;
}

export class UsagePacer {
  private readonly tenants = new Map<string, TenantUsage>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Reads a response's usage headers (success or error) into the tenant's budget. */
  observe(tenantId: string, headers: HeaderBag): void {
    const usage = this.usage(tenantId);
    const percent = usagePercent(headers);
    if (percent !== undefined) usage.percent = percent;
    const regainMs = retryAfterMsFromMetaHeaders(headers, this.now());
    if (regainMs !== undefined) usage.blockedUntil = Math.max(usage.blockedUntil, this.now() + regainMs);
  }

  /** Meta throttled the tenant (an error with or without a regain time). */
  throttled(tenantId: string, retryAfterMs: number | undefined): void {
    const usage = this.usage(tenantId);
    usage.percent = 100;
    usage.blockedUntil = Math.max(usage.blockedUntil, this.now() + (retryAfterMs ?? 60_000));
  }

  /** The regain time has been waited out elsewhere (a Temporal retry scheduled after it). */
  liftBlock(tenantId: string): void {
    const usage = this.tenants.get(tenantId);
    if (usage && usage.blockedUntil > 0) regained(usage);
  }

  /** How long the tenant's next call should wait. */
  pauseMs(tenantId: string): number {
    const usage = this.tenants.get(tenantId);
    if (!usage) return 0;
    const blocked = usage.blockedUntil - this.now();
    if (blocked > 0) return blocked;
    if (usage.blockedUntil > 0) regained(usage);
    if (usage.percent < SLOW_DOWN_AT) return 0;
    const closeness = Math.min(1, (usage.percent - SLOW_DOWN_AT) / (100 - SLOW_DOWN_AT));
    return Math.round(MAX_PAUSE_MS * closeness * closeness);
  }

  private usage(tenantId: string): TenantUsage {
    let usage = this.tenants.get(tenantId);
    if (!usage) {
      usage = { percent: 0, blockedUntil: 0 };
      this.tenants.set(tenantId, usage);
    }
    return usage;
  }
}

/** Meta's regain time has passed: the usage that came with the throttling is history. */
function regained(usage: TenantUsage): void {
  usage.blockedUntil = 0;
  usage.percent = 0;
}

/** The busiest of every budget the headers report, in percent; undefined when none is reported. */
export function usagePercent(headers: HeaderBag): number | undefined {
  const values: number[] = [];
  const collect = (entry: unknown) => {
    if (!entry || typeof entry !== 'object') return;
    for (const key of ['call_count', 'total_cputime', 'total_time']) {
      const value = Number((entry as Record<string, unknown>)[key]);
      if (Number.isFinite(value)) values.push(value);
    }
  };
  collect(parseHeader(headers, 'x-app-usage'));
  const buc = parseHeader(headers, 'x-business-use-case-usage');
  if (buc && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      for (const entry of Array.isArray(entries) ? entries : [entries]) collect(entry);
    }
  }
  return values.length > 0 ? Math.max(...values) : undefined;
}

function parseHeader(headers: HeaderBag, name: string): unknown {
  const raw = headers[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
