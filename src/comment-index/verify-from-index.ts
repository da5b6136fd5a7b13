// Deciding a comment claim from the target's index. The order keeps Graph reads away from claims:
//  1. match in the index as it is (a comment a webhook or an earlier crawl delivered: no read);
//  2. otherwise ask for the index to be fresh as of now (one crawl shared by all claims asking)
//     and match again;
//  3. complete through now and still no match → not found; a crawl that could not read the
//     target → could not check (the caller retries, then hands the claim to the fallback).
// A crawl never stops at a page cap, so "not found" only ever means "not there".
import type { Database } from '../db/client.js';
import type { CredentialSource } from '../verification/credential-sources.js';
import { EvidenceScreen, type EvidenceRules } from '../verification/evidence-screen.js';
import type { MetaVerification } from '../verification/outcome.js';
import { indexReader } from './index-credentials.js';
import { ensureIndexTarget } from './index-store.js';
import { findClaimInIndex, indexedCommentCounts, type IndexClaimant } from './match-in-index.js';
import { waitForFreshness, type FreshnessRequester } from './request-freshness.js';
import { requestFreshness } from './request-freshness.js';
import type { IndexTargetKey } from './target-key.js';

export type IndexVerification =
  | { readonly kind: 'checked'; readonly method: CredentialSource['method']; readonly result: MetaVerification }
  | { readonly kind: 'no_credentials'; readonly reason: string }
  /** The crawl could not read the target (kind as OutboundError: auth, permanent, rate_limited, transient) */
  | {
      readonly kind: 'could_not_check';
      readonly method: CredentialSource['method'];
      readonly errorKind: string;
      readonly detail: string;
      readonly failedCrawls: number;
      readonly retryAt: Date | null;
    }
  /** The crawl is still running (a long backfill): ask again later */
  | { readonly kind: 'pending'; readonly detail: string };

export interface IndexVerifyDeps extends FreshnessRequester {
  readonly db: Database;
  readonly waitMs: number;
  readonly onPoll?: () => void;
}

const NOT_A_PAGE_TOKEN = 'Meta returned no identities: the Facebook token is not a Page token, and only Page tokens can see who commented or reacted';

export async function verifyFromIndex(
  deps: IndexVerifyDeps,
  key: IndexTargetKey,
  sources: readonly CredentialSource[],
  who: IndexClaimant,
  rules: EvidenceRules,
): Promise<IndexVerification> {
  const reader = indexReader(key.platform, sources);
  if (!reader) {
    return { kind: 'no_credentials', reason: key.platform === 'INSTAGRAM' ? 'No Instagram token configured' : 'No Facebook Page token configured' };
  }
  const { db } = deps;
  const target = await ensureIndexTarget(db, key);
  const verified = (found: NonNullable<Awaited<ReturnType<typeof findClaimInIndex>>>): IndexVerification => ({
    kind: 'checked',
    method: reader.method,
    result: { outcome: 'verified', evidence: found },
  });

  // Webhooks fill only indexes whose target the tenant's credentials have read (readableAt).
  const already = await findClaimInIndex(db, target, who, new EvidenceScreen(rules));
  if (already) return verified(already);

  const asOf = new Date();
  await requestFreshness(deps, key, asOf);
  const freshness = await waitForFreshness(db, key, asOf, { waitMs: deps.waitMs, ...(deps.onPoll ? { onPoll: deps.onPoll } : {}) });
  if (freshness.state === 'pending') {
    return { kind: 'pending', detail: `The comment index of ${key.platform} ${key.targetId} is still being crawled` };
  }
  if (freshness.state === 'failed') {
    return {
      kind: 'could_not_check',
      method: reader.method,
      errorKind: freshness.kind,
      failedCrawls: freshness.target.failedCrawls,
      retryAt: freshness.target.retryAt,
      detail: `Meta could not be read for ${key.platform} ${key.targetId}: ${freshness.message}`,
    };
  }
  const screen = new EvidenceScreen(rules);
  const found = await findClaimInIndex(db, freshness.target, who, screen);
  if (found) return verified(found);

  const counts = await indexedCommentCounts(db, target.id);
  if (key.platform === 'FACEBOOK' && !who.proofCode && counts.total > 0 && counts.anonymous === counts.total) {
    return { kind: 'checked', method: reader.method, result: { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN } };
  }
  const whom = who.proofCode ? `with the code ${who.proofCode}` : key.platform === 'INSTAGRAM' ? `by @${who.handle}` : `by "${who.handle}"`;
  const what = key.platform === 'INSTAGRAM' ? 'Instagram media' : 'Facebook post';
  const through = freshness.target.completeThrough!.toISOString();
  return {
    kind: 'checked',
    method: reader.method,
    result: screen.notFound(`No comment ${whom} on ${what} ${key.targetId} (all ${counts.total} indexed comments up to ${through} checked)`),
  };
}
