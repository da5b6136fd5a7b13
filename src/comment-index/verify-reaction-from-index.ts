// Deciding a Facebook LIKE claim from the post's indexed reactions, in the same order and with
// the same outcomes as comments (verify-from-index.ts): match as the index is (a reaction a
// webhook delivered: no Graph read); else ask for one shared crawl fresh as of now and match
// again; complete and no match → not found; the crawl could not read the post → could not check.
import type { CredentialSource } from '../verification/credential-sources.js';
import { EvidenceScreen, type EvidenceRules } from '../verification/evidence-screen.js';
import { indexReader } from './index-credentials.js';
import { ensureIndexTarget } from './index-store.js';
import { findReactionInIndex } from './match-reactions.js';
import { requestFreshness, waitForFreshness } from './request-freshness.js';
import type { IndexTargetKey } from './target-key.js';
import type { IndexVerification, IndexVerifyDeps } from './verify-from-index.js';

const NOT_A_PAGE_TOKEN = 'Meta returned no identities: the Facebook token is not a Page token, and only Page tokens can see who commented or reacted';

export async function verifyReactionFromIndex(
  deps: IndexVerifyDeps,
  key: IndexTargetKey,
  sources: readonly CredentialSource[],
  handle: string,
  rules: EvidenceRules,
): Promise<IndexVerification> {
  const reader = indexReader('FACEBOOK', sources);
  if (!reader) return { kind: 'no_credentials', reason: 'No Facebook Page token configured' };
  const { db } = deps;
  const target = await ensureIndexTarget(db, key);
  const verified = (found: NonNullable<Awaited<ReturnType<typeof findReactionInIndex>>>): IndexVerification => ({
    kind: 'checked',
    method: reader.method,
    result: { outcome: 'verified', evidence: found },
  });

  const already = await findReactionInIndex(db, target, handle, new EvidenceScreen(rules));
  if (already) return verified(already);

  const asOf = new Date();
  await requestFreshness(deps, key, asOf);
  const freshness = await waitForFreshness(db, key, asOf, {
    waitMs: deps.waitMs,
    through: (row) => row.reactionsCompleteThrough,
    ...(deps.onPoll ? { onPoll: deps.onPoll } : {}),
  });
  if (freshness.state === 'pending') {
    return { kind: 'pending', detail: `The reactions of Facebook post ${key.targetId} are still being crawled` };
  }
  if (freshness.state === 'failed') {
    return {
      kind: 'could_not_check',
      method: reader.method,
      errorKind: freshness.kind,
      failedCrawls: freshness.target.failedCrawls,
      retryAt: freshness.target.retryAt,
      detail: `Meta could not be read for FACEBOOK ${key.targetId}: ${freshness.message}`,
    };
  }
  const screen = new EvidenceScreen(rules);
  const found = await findReactionInIndex(db, freshness.target, handle, screen);
  if (found) return verified(found);

  const total = await db.indexedReaction.count({ where: { indexTargetId: target.id } });
  if (total === 0 && freshness.target.reactionsAnonymous > 0) {
    return { kind: 'checked', method: reader.method, result: { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN } };
  }
  const through = freshness.target.reactionsCompleteThrough!.toISOString();
  return {
    kind: 'checked',
    method: reader.method,
    result: screen.notFound(`No reaction by "${handle}" on Facebook post ${key.targetId} (all ${total} indexed reactions up to ${through} checked)`),
  };
}
