// Database-side limits of each kind of work, set on every connection of its pool (PostgreSQL
// startup parameters), so a query that hangs on a lock, a runaway statement or a transaction left
// open by a stuck process ends in an error instead of holding a connection and its locks forever.
//   request:  the API (HTTP requests, the start sweepers): a person is waiting, so seconds;
//   activity: the worker's activities (verify, plan, stamp, send, webhooks): short steps that retry;
//   batch:    long passes over many rows (retention, the re-plan fan-out, schedule reconciliation).
export type DatabaseRole = 'request' | 'activity' | 'batch';

export interface SessionLimits {
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
  readonly idleInTransactionMs: number;
}

export const SESSION_LIMITS: Readonly<Record<DatabaseRole, SessionLimits>> = {
  request: { statementTimeoutMs: 5_000, lockTimeoutMs: 2_000, idleInTransactionMs: 10_000 },
  activity: { statementTimeoutMs: 30_000, lockTimeoutMs: 10_000, idleInTransactionMs: 60_000 },
  batch: { statementTimeoutMs: 600_000, lockTimeoutMs: 30_000, idleInTransactionMs: 300_000 },
};

/** The node-postgres settings that send the role's limits when each connection opens. */
export function sessionParameters(role: DatabaseRole) {
  const limits = SESSION_LIMITS[role];
  return {
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionMs,
  };
}
