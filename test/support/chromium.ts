// Finds Debian's Chromium for the browser tests, installing it through scripts/install-chromium.sh
// when it is missing (CI runs as root on a fresh machine). Returns undefined only when it truly
// cannot be had; the caller then skips loudly.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const found = () => [process.env.CHROMIUM_PATH, ...CANDIDATES].find((path): path is string => !!path && existsSync(path));

export function chromiumPath(): string | undefined {
  const present = found();
  if (present) return present;
  try {
    execFileSync('bash', [join(PROJECT_ROOT, 'scripts', 'install-chromium.sh')], { stdio: 'inherit', timeout: 540_000 });
  } catch (error) {
    console.warn(`scripts/install-chromium.sh failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return found();
}
