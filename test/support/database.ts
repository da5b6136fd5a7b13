// A fresh database per test file, cloned from the migrated template made in global-setup.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database, type IssuedQuery } from '../../src/db/client.js';

export interface TestDatabase {
  readonly url: string;
  readonly db: Database;
  /** Raw SQL access for assertions the Prisma client would hide (e.g. ciphertext columns). */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function baseUrl(): string {
  const url = process.env.TEST_PG_BASE_URL;
  if (!url) throw new Error('TEST_PG_BASE_URL is not set: run tests through jest (global-setup starts PostgreSQL)');
  return url;
}

export async function createEmptyDatabase(): Promise<{ name: string; url: string }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return { name, url: `${baseUrl()}/${name}` };
}

export async function createTestDatabase(options: { onQuery?: (query: IssuedQuery) => void; maxConnections?: number } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE app_template`);
  const url = `${baseUrl()}/${name}`;
  const db = createDatabase(url, { maxConnections: options.maxConnections ?? 5, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    db,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    close: async () => {
      await db.$disconnect();
      await pool.end();
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template;
  // nothing else connects to it, and concurrent clones are serialized by retrying.
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: `${baseUrl()}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
      return;
    } catch (error) {
      if (attempt >= 20 || !String((error as Error).message).includes('being accessed by other users')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50));
    } finally {
      await client.end();
    }
  }
}
