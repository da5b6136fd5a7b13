// One Prisma client per process (and per role), over node-postgres through the driver adapter
// (Prisma 7 runs without native engines). Every connection carries its role's limits
// (session-limits.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { type DatabaseRole, sessionParameters } from './session-limits.js';

export type Database = PrismaClient;

/** A statement as the client sent it: SQL with $n placeholders and its parameters (JSON text). */
export interface IssuedQuery {
  readonly query: string;
  readonly params: string;
}

export interface DatabaseOptions {
  readonly maxConnections?: number;
  /** Which limits its connections carry; default activity */
  readonly role?: DatabaseRole;
  /** Sees every statement the client sends (query-plan tests and the volume bench collect them). */
  readonly onQuery?: (query: IssuedQuery) => void;
}

export function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Database {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    ...sessionParameters(options.role ?? 'activity'),
  });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const onQuery = options.onQuery;
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery({ query: event.query, params: event.params }));
  return client as unknown as Database;
}
