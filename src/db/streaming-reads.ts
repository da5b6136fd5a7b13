// A small node-postgres pool per process for reads that stream many rows (CSV exports). Prisma's
// raw-query path builds several objects per cell: exporting 100,000 claims through it grew the
// API's heap by ~80 MB, against ~5 MB for the same pages read here as arrays of text. Created on
// first use, one per database URL, shared by every request; idle connections close on their own
// and never keep the process alive.
import pg from 'pg';
import { sessionParameters } from './session-limits.js';

const pools = new Map<string, pg.Pool>();

function poolFor(databaseUrl: string): pg.Pool {
  let pool = pools.get(databaseUrl);
  if (!pool) {
    // A request's limits per page (a page is one short statement; the export as a whole may take long).
    pool = new pg.Pool({
      connectionString: databaseUrl,
      max: STREAMING_CONNECTIONS,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      ...sessionParameters('request'),
    });
    // An idle connection that drops (database restart) is replaced on the next read; never a crash.
    pool.on('error', () => undefined);
    pools.set(databaseUrl, pool);
  }
  return pool;
}

/** Exports at once per process; more wait for a connection. */
const STREAMING_CONNECTIONS = 2;

/** Rows as arrays, in the statement's column order (no object per row, no parsing beyond pg's types). */
export async function queryRowArrays(databaseUrl: string, sql: string, params: readonly unknown[]): Promise<unknown[][]> {
  const result = await poolFor(databaseUrl).query({ text: sql, values: [...params], rowMode: 'array' });
  return result.rows as unknown[][];
}

/** Closes every streaming pool (process shutdown). */
export async function closeStreamingReads(): Promise<void> {
  const open = [...pools.values()];
  pools.clear();
  await Promise.all(open.map((pool) => pool.end()));
}
