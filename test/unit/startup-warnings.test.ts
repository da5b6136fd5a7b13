// OUTBOUND_ALLOW_PRIVATE_NETWORKS is right for `npm run dev` and tests, dangerous in production:
// the API and worker say so at startup unless started by `npm run dev`.
import { loadConfig } from '../../src/config.js';
import { warnAboutRiskySettings } from '../../src/main/startup-warnings.js';

const REQUIRED = { JWT_SECRET: 'j'.repeat(32), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };

function warningsFor(env: Record<string, string>, options: { dev?: boolean } = {}): string[] {
  const warnings: string[] = [];
  warnAboutRiskySettings(loadConfig({ ...REQUIRED, ...env }), { warn: (message: string) => void warnings.push(message) } as never, options);
  return warnings;
}

test('private networks allowed outside dev: one warning naming the variable', () => {
  expect(warningsFor({ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' })).toEqual([expect.stringContaining('OUTBOUND_ALLOW_PRIVATE_NETWORKS is on')]);
});

test('no warning by default, nor under npm run dev', () => {
  expect(warningsFor({})).toEqual([]);
  expect(warningsFor({ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' }, { dev: true })).toEqual([]);
});
