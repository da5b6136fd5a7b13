// One Prisma client per process, over node-postgres through the driver adapter (Prisma 7 runs
// without native engines).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Database = PrismaClient;

/** A statement as the client sent it: SQL with $n placeholders and its parameters (JSON text). */
export interface IssuedQuery {
  readonly query: string;
  readonly params: string;
}

export interface DatabaseOptions {
  readonly maxConnections?: number;
  /** Sees every statement the client sends (query-plan tests and the volume bench collect them). */
  readonly onQuery?: (query: IssuedQuery) => void;
}

export function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Database {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const onQuery = options.onQuery;
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery({ query: event.query, params: event.params }));
  return client as unknown as Database;
}
