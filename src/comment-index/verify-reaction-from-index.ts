// Deciding a Facebook LIKE claim from the post's indexed reactions, in the same order and with
// the same outcomes as comments (verify-from-index.ts): match as the index is (a reaction a
// webhook delivered: no Graph read); else ask for one shared crawl fresh as of now and match
// again on a later look; complete and no match → not found; the crawl could not read the post → could not check.
import type { CredentialSource } from '../verification/credential-sources.js';
import type { EvidenceRules } from '../verification/evidence-screen.js';
import { indexReader } from './index-credentials.js';
import { findReactionInIndex } from './match-reactions.js';
import type { IndexTargetKey } from './target-key.js';
import { NOT_A_PAGE_TOKEN, verifyInIndex, type IndexVerification, type IndexVerifyDeps } from './verify-from-index.js';

export async function verifyReactionFromIndex(
  deps: IndexVerifyDeps,
  key: IndexTargetKey,
  sources: readonly CredentialSource[],
  handle: string,
  rules: EvidenceRules,
  askedAsOf?: Date,
): Promise<IndexVerification> {
  const reader = indexReader('FACEBOOK', sources);
  if (!reader) return { kind: 'no_credentials', reason: 'No Facebook Page token configured' };
  const { db } = deps;
  return verifyInIndex(
    deps,
    key,
    reader.method,
    rules,
    {
      stillCrawling: `The reactions of Facebook post ${key.targetId} are still being crawled`,
      through: (target) => target.reactionsCompleteThrough,
      find: (target, screen) => findReactionInIndex(db, target, handle, screen),
      async notFound(target, screen) {
        const total = await db.indexedReaction.count({ where: { indexTargetId: target.id } });
        if (total === 0 && target.reactionsAnonymous > 0) return { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN };
        const through = target.reactionsCompleteThrough!.toISOString();
        return screen.notFound(
          `No reaction by "${handle}" on Facebook post ${key.targetId} (all ${total} indexed reactions up to ${through} checked)`,
        );
      },
    },
    askedAsOf,
  );
}
