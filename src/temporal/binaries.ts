// Where the Temporal CLI (dev server, `temporal schedule ...`) and the time-skipping test server
// come from. Order: env var → project-local install (scripts/install-temporal.sh, from the PyPI
// wheels) → PATH → undefined, meaning "let the SDK download it" (works only with internet).
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const LOCAL_TOOLS_BIN = join(PROJECT_ROOT, '.tools', 'venv', 'bin');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolveBinary(envVar: string, name: string, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[envVar]?.trim();
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const local = join(LOCAL_TOOLS_BIN, name);
  if (isExecutable(local)) return local;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return resolveBinary('TEMPORAL_CLI_PATH', 'temporal', env);
}

export function resolveTemporalTestServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return resolveBinary('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}

/** The `executable` option of @temporalio/testing for a resolved path (or the SDK download). */
export function testingExecutable(path: string | undefined) {
  return path ? ({ type: 'existing-path', path } as const) : ({ type: 'cached-download' } as const);
}
