// The token that reads a target's comments: the tenant's own first, then the platform's, like
// every Meta check (credential-sources.ts). Facebook needs a Page token (only Page tokens see who
// commented); Instagram its account token.
import type { CredentialSource } from '../verification/credential-sources.js';
import type { IndexPlatform } from './target-key.js';

export interface IndexReader {
  readonly method: CredentialSource['method'];
  readonly token: string;
  /** The Instagram account the token belongs to (whose comment webhooks fill the index) */
  readonly instagramAccountId?: string | undefined;
}

export function indexReader(platform: IndexPlatform, sources: readonly CredentialSource[]): IndexReader | undefined {
  for (const { method, credentials } of sources) {
    const token = platform === 'INSTAGRAM' ? credentials.instagramToken : credentials.facebookToken;
    if (token) return { method, token, instagramAccountId: credentials.instagramAccountId };
  }
  return undefined;
}
