// Dev secrets: generated once into .data/dev-secrets.json and reused, so data sealed and tokens
// signed in one `npm run dev` still open in the next. Explicit env vars always win.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  TOKEN_ENCRYPTION_KEY: string;
  META_WEBHOOK_VERIFY_TOKEN: string;
}

export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  const stored: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: DevSecrets = {
    JWT_SECRET: stored.JWT_SECRET ?? randomBytes(48).toString('base64url'),
    TOKEN_ENCRYPTION_KEY: stored.TOKEN_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    META_WEBHOOK_VERIFY_TOKEN: stored.META_WEBHOOK_VERIFY_TOKEN ?? randomBytes(16).toString('hex'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
