// `prisma generate` needs no schema engine, but the CLI insists on a path to one and cannot
// download it here: point it at an empty placeholder. Runs on `npm ci` (postinstall).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const placeholder = join(process.cwd(), '.tools', 'schema-engine-placeholder');
if (!existsSync(placeholder)) {
  mkdirSync(join(process.cwd(), '.tools'), { recursive: true });
  writeFileSync(placeholder, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
}
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder };
execFileSync(join('node_modules', '.bin', 'prisma'), ['generate'], { stdio: 'inherit', env });
