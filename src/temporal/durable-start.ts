// "Write the row, start idempotently, sweep later": the one way this system starts workflows that
// must not be lost (claims, webhook deliveries).
//
// A request writes its row first, then starts the workflow under a short deadline
// (REQUEST_DEADLINE_MS), so a Temporal outage never holds an HTTP request for long. Rows whose
// start never got through are swept: each pass leases a batch with FOR UPDATE SKIP LOCKED (so N API
// processes share a backlog instead of starting the same rows), starts them in parallel with a
// bound, and takes the next batch until the backlog is empty. Starts are idempotent by workflow id,
// so a row started twice (a lease that expired mid-start) is still one workflow.
import { ServiceError, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { runPeriodically } from './periodic-sweep.js';

/** How long an HTTP request waits for Temporal before answering without it. */
export const REQUEST_DEADLINE_MS = 3_000;
/** How long a sweeper waits for one start. */
export const SWEEP_DEADLINE_MS = 10_000;

export interface StarterDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

export type StartOutcome = 'started' | 'closed';

/** A kind of row whose workflow is started durably. */
export interface DurableStartKind<Row extends { id: string }> {
  /** For logs: "claim", "webhook delivery" */
  readonly name: string;
  /** Leases up to `limit` rows older than `cutoff` whose start is not confirmed and not leased by another sweeper. */
  lease(db: Database, options: { cutoff: Date; limit: number; leaseMs: number }): Promise<Row[]>;
  /** Starts (or joins) the row's workflow and records that it started. */
  start(deps: StarterDeps, row: Row, deadlineMs: number): Promise<StartOutcome>;
  /** A finished run exists but the row was never marked: record that, so the sweeper stops picking it. */
  closed?(deps: StarterDeps, row: Row): Promise<void>;
}

export interface SweepOptions {
  /** Rows younger than this are left to the request that wrote them. */
  readonly graceMs: number;
  readonly batchSize?: number;
  /** Starts in flight at once. */
  readonly concurrency?: number;
  /** How long a leased row is left to this sweeper. */
  readonly leaseMs?: number;
}

/** Runs `call` against Temporal with a deadline: unreachable Temporal fails fast instead of retrying for ~20 s. */
export function withDeadline<T>(temporal: Client, deadlineMs: number, call: () => Promise<T>): Promise<T> {
  return temporal.withDeadline(Date.now() + deadlineMs, call);
}

/** Starts a workflow idempotently: an existing run (running or closed) with the id is never a second one. */
export async function startIdempotently(temporal: Client, deadlineMs: number, start: () => Promise<unknown>): Promise<StartOutcome> {
  try {
    await withDeadline(temporal, deadlineMs, start);
    return 'started';
  } catch (error) {
    // REJECT_DUPLICATE: a closed run with this id exists; the work was done (or ended by hand).
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'closed';
    throw error;
  }
}

/** Where a kind's unstarted rows live; every such table has `id` and `startLeaseUntil`. */
export interface UnstartedRows {
  readonly table: string;
  /** SQL condition of a row whose start is not confirmed */
  readonly unstarted: Prisma.Sql;
  /** Column with the time the row was written: the grace period and the order */
  readonly writtenAt: string;
  /** Columns to return, of the leased row aliased `t` (e.g. t.id, t."tenantId") */
  readonly returning: Prisma.Sql;
}

/**
 * Leases up to `limit` unstarted rows older than `cutoff` that no other sweeper holds: the lease
 * is taken in one statement under FOR UPDATE SKIP LOCKED, so concurrent sweepers never take the
 * same row, and an expired lease (its sweeper died) makes the row due again.
 */
export function leaseUnstarted<Row>(db: Database, rows: UnstartedRows, options: { cutoff: Date; limit: number; leaseMs: number }): Promise<Row[]> {
  const table = Prisma.raw(`"${rows.table}"`);
  const writtenAt = Prisma.raw(`"${rows.writtenAt}"`);
  return db.$queryRaw<Row[]>(Prisma.sql`
      UPDATE ${table} AS t
         SET "startLeaseUntil" = now() + ${options.leaseMs} * interval '1 millisecond'
        FROM (SELECT id FROM ${table}
               WHERE ${rows.unstarted} AND ${writtenAt} <= ${options.cutoff}
                 AND ("startLeaseUntil" IS NULL OR "startLeaseUntil" < now())
               ORDER BY ${writtenAt}, id
               LIMIT ${options.limit}
               FOR UPDATE SKIP LOCKED) AS due
       WHERE t.id = due.id
   RETURNING ${rows.returning}`);
}

/** One sweep: batches until the backlog older than the grace period is empty. Returns how many started. */
export async function sweepUnstarted<Row extends { id: string }>(
  deps: StarterDeps,
  kind: DurableStartKind<Row>,
  options: SweepOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 16;
  const leaseMs = options.leaseMs ?? 60_000;
  let started = 0;
  for (;;) {
    const rows = await kind.lease(deps.db, { cutoff: new Date(Date.now() - options.graceMs), limit: batchSize, leaseMs });
    if (rows.length === 0) break;
    let unavailable = false;
    await forEachLimited(rows, concurrency, async (row) => {
      if (unavailable) return; // Temporal is down: leave the rest leased until it is back
      try {
        const outcome = await kind.start(deps, row, SWEEP_DEADLINE_MS);
        if (outcome === 'started') started++;
        else await kind.closed?.(deps, row);
      } catch (error) {
        if (isUnavailable(error)) unavailable = true;
        deps.logger.warn({ err: error, id: row.id }, `could not start ${kind.name} workflow; will retry`);
      }
    });
    if (unavailable || rows.length < batchSize) break;
  }
  if (started > 0) deps.logger.info({ started }, `started ${kind.name} workflows left unstarted`);
  return started;
}

/** Sweeps every `intervalMs` (one pass at a time) until stopped. */
export function startSweeper<Row extends { id: string }>(
  deps: StarterDeps,
  kind: DurableStartKind<Row>,
  options: SweepOptions & { intervalMs: number },
): { stop(): void } {
  return runPeriodically(`${kind.name} sweeper`, () => sweepUnstarted(deps, kind, options), options.intervalMs, deps.logger);
}

function isUnavailable(error: unknown): boolean {
  // Deadline exceeded or unreachable frontend: a ServiceError with the gRPC status in its cause.
  return error instanceof ServiceError || (error instanceof Error && /DEADLINE_EXCEEDED|UNAVAILABLE|deadline/i.test(error.message));
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}
