// The dynamic config the production Temporal server gets (deploy/temporal/dynamicconfig/production-sql.yaml,
// mounted by docker-compose.yml and used by TEMPORAL_TOPOLOGY=cluster) must hold every value the dev
// server of the tests and `npm run dev` is started with: otherwise production runs a different server
// than the one every test ran against.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PRODUCTION_DYNAMIC_CONFIG } from '../../src/dev/temporal-cluster-config.js';
import { PROJECT_ROOT } from '../../src/temporal/binaries.js';
import { FAIRNESS_CLI_ARGS } from '../../src/temporal/fairness.js';

type DynamicConfig = Record<string, { value: unknown; constraints?: Record<string, unknown> }[]>;

/** `--dynamic-config-value key=value` pairs, values parsed the way the CLI parses them (JSON, else text). */
function cliValues(args: readonly string[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--dynamic-config-value') continue;
    const [key, text] = args[i + 1]!.split(/=(.*)/s) as [string, string];
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // plain string
    }
    pairs.push([key, value]);
  }
  return pairs;
}

const shipped = parse(readFileSync(PRODUCTION_DYNAMIC_CONFIG, 'utf8')) as DynamicConfig;

test('is the file docker-compose.yml mounts into its Temporal server', () => {
  const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
  expect(PRODUCTION_DYNAMIC_CONFIG).toBe(join(PROJECT_ROOT, 'deploy', 'temporal', 'dynamicconfig', 'production-sql.yaml'));
  expect(compose).toContain('DYNAMIC_CONFIG_FILE_PATH: /etc/temporal/config/dynamicconfig/production-sql.yaml');
  expect(compose).toContain('./deploy/temporal/dynamicconfig:/etc/temporal/config/dynamicconfig:ro');
});

test('sets, for every namespace, each value the tests and `npm run dev` give the dev server', () => {
  const expected = cliValues(FAIRNESS_CLI_ARGS);
  expect(expected.length).toBeGreaterThan(0);
  for (const [key, value] of expected) {
    const unconstrained = (shipped[key] ?? []).filter((entry) => Object.keys(entry.constraints ?? {}).length === 0);
    expect({ key, values: unconstrained.map((entry) => entry.value) }).toEqual({ key, values: [value] });
  }
});
