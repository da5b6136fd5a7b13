// Where the real Temporal server (TEMPORAL_TOPOLOGY=cluster) is installed: .tools/temporal-server,
// filled by scripts/install-temporal-server.sh with the server binary, its SQL schema tool and the
// PostgreSQL schema directories of the pinned version (scripts/temporal-versions.sh).
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/binaries.js';

export interface TemporalServerInstall {
  /** `temporal-server --config-file <file> --allow-no-auth start` */
  readonly server: string;
  /** The schema tool (go.temporal.io/server/cmd/tools/sql) */
  readonly sqlTool: string;
  /** Versioned schema directories for `update-schema -d` */
  readonly persistenceSchema: string;
  readonly visibilitySchema: string;
}

export const TEMPORAL_SERVER_DIR = join(PROJECT_ROOT, '.tools', 'temporal-server');

export function findTemporalServerInstall(dir: string = TEMPORAL_SERVER_DIR): TemporalServerInstall {
  const install = {
    server: join(dir, 'bin', 'temporal-server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    persistenceSchema: join(dir, 'schema', 'postgresql', 'v12', 'temporal', 'versioned'),
    visibilitySchema: join(dir, 'schema', 'postgresql', 'v12', 'visibility', 'versioned'),
  };
  const missing = [install.server, install.sqlTool].filter((path) => !isExecutable(path));
  if (!existsSync(install.persistenceSchema) || !existsSync(install.visibilitySchema)) missing.push(join(dir, 'schema'));
  if (missing.length > 0) {
    throw new Error(`The Temporal server is not installed (missing ${missing.join(', ')}): run bash scripts/install-temporal-server.sh`);
  }
  return install;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
