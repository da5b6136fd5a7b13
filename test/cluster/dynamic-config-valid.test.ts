// The real server's own check of the dynamic config docker-compose.yml ships: every key is one the
// server knows and every value has the key's type. The launcher runs the same check before every
// start; an unknown key would otherwise be silently ignored by the running server.
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDynamicConfig } from '../../src/dev/cluster-temporal-server.js';
import { PRODUCTION_DYNAMIC_CONFIG } from '../../src/dev/temporal-cluster-config.js';
import { findTemporalServerInstall } from '../../src/dev/temporal-server-install.js';

test('the shipped dynamic config passes `temporal-server validate-dynamic-config`', async () => {
  await expect(validateDynamicConfig(findTemporalServerInstall(), PRODUCTION_DYNAMIC_CONFIG)).resolves.toBeUndefined();
});

test('a misspelt key or a mistyped value is refused (the server only warns about them)', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'dynamic-config-')), 'bad.yaml');
  writeFileSync(file, 'matching.enableFairnes:\n  - value: true\nlimit.maxIDLength:\n  - value: "long"\n');
  await expect(validateDynamicConfig(findTemporalServerInstall(), file)).rejects.toThrow(/unregistered key.*\n.*value type is not int/s);
});
