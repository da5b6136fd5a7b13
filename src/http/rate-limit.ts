// Charges a request to its budgets (src/rate-limits) as the first thing a limited route does:
// beyond a budget the answer is 429 RATE_LIMITED with Retry-After, and nothing else is done.
import type { Response } from 'express';
import { consumeBudgets, type Budget } from '../rate-limits/request-budget.js';
import type { AppDeps } from './deps.js';
import { AppError } from './errors.js';

export async function enforceBudgets(deps: Pick<AppDeps, 'db'>, res: Response, budgets: Budget[]): Promise<void> {
  const decision = await consumeBudgets(deps.db, budgets);
  if (decision.allowed) return;
  res.setHeader('retry-after', String(decision.retryAfterSeconds));
  throw new AppError('RATE_LIMITED', `too many requests: ${decision.limitName} allows ${decision.limit}`, {
    limit: decision.limitName,
    retryAfterSeconds: decision.retryAfterSeconds,
  });
}
