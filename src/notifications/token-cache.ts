// Decrypted account tokens, cached per worker for a short time. The key is the sealed value
// itself, so a refreshed or reconnected token (a new envelope) is never served stale: the cache
// is invalidated by construction when a token changes.
import type { SecretBox } from '../crypto/secret-box.js';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 1_000;

export function createTokenCache(secrets: SecretBox, now: () => number = Date.now) {
  const entries = new Map<string, { token: string; expiresAt: number }>();
  return {
    open(sealed: string): string {
      const hit = entries.get(sealed);
      if (hit && hit.expiresAt > now()) return hit.token;
      const token = secrets.open(sealed);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(sealed, { token, expiresAt: now() + TTL_MS });
      return token;
    },
    forget(sealed: string): void {
      entries.delete(sealed);
    },
    get size() {
      return entries.size;
    },
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
