// The configuration manual is generated from the descriptions in src/config.ts; these tests keep it
// current and make sure no variable is read without a description.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfig, KNOWN_ENV_VARS } from '../../src/config.js';
import { CONFIGURATION_MANUAL, renderConfigurationManual } from '../../scripts/configuration-manual.js';

/** The formatter pads table cells; the content is what must match. */
const unpadded = (markdown: string): string =>
  markdown
    .split('\n')
    .map((line) => (line.startsWith('|') ? line.replace(/\s*\|\s*/g, '|').replace(/-{3,}/g, '---') : line))
    .join('\n');

describe('docs/configuration.md', () => {
  test('is what `npm run docs:config` generates from src/config.ts', () => {
    expect(unpadded(readFileSync(CONFIGURATION_MANUAL, 'utf8'))).toBe(unpadded(renderConfigurationManual()));
  });

  test('names every variable src/config.ts mentions, once', () => {
    const source = readFileSync(join(process.cwd(), 'src', 'config.ts'), 'utf8');
    const mentioned = new Set([...source.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((match) => match[1]!));
    const described = describeConfig().map((variable) => variable.name);
    expect(new Set(described).size).toBe(described.length);
    expect([...mentioned].filter((name) => !described.includes(name))).toEqual([]);
  });

  test('every variable loadConfig reads has a meaning', () => {
    for (const variable of describeConfig())
      expect({ name: variable.name, meaning: variable.meaning.length > 10 }).toEqual({ name: variable.name, meaning: true });
    expect(KNOWN_ENV_VARS.length).toBeGreaterThan(30);
  });
});
