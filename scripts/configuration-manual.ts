// docs/configuration.md is generated from src/config.ts (each variable is described where it is
// parsed): `npm run docs:config` rewrites it, and test/unit/configuration-manual.test.ts fails when it
// is stale.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeConfig } from '../src/config.js';

export const CONFIGURATION_MANUAL = join(fileURLToPath(new URL('..', import.meta.url)), 'docs', 'configuration.md');

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderConfigurationManual(): string {
  const rows = describeConfig().map((variable) => `| \`${variable.name}\` | ${cell(variable.default)} | ${cell(variable.meaning)} |`);
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config.ts by `npm run docs:config`; edit the descriptions there. -->',
    '',
    'Every process reads its settings from the environment once at start (`loadConfig` in',
    '`src/config.ts`). Startup fails with a message naming every missing or malformed variable; the',
    'configuration is never logged.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIGURATION_MANUAL, renderConfigurationManual());
  execFileSync(join('node_modules', '.bin', 'biome'), ['format', '--write', CONFIGURATION_MANUAL], { stdio: 'ignore' });
  console.log(`wrote ${CONFIGURATION_MANUAL}`);
}
