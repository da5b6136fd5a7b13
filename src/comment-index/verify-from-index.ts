// Deciding a comment claim from the target's index. The order keeps Graph reads away from claims:
//  1. match in the index as it is (a comment a webhook or an earlier crawl delivered: no read);
//  2. otherwise ask for the index to be fresh as of now (one crawl shared by all claims asking)
//     and answer "pending" with that time: the claim workflow waits on a timer, then looks again
//     with the same time (a look never waits in its activity slot, which the crawl may need);
//  3. complete through that time and still no match → not found; a crawl that could not read the
//     target → could not check (the caller looks again later, then hands the claim to the fallback).
// A crawl never stops at a page cap, so "not found" only ever means "not there". One exception:
// an Instagram crawl after the first reads new top-level comments only, so a reply posted later on
// an older thread reaches the index through Meta's comments webhook alone. Without an active
// webhook subscription for the account, a miss is "could not check" (then the fallback), never
// "not found".
import type { Database } from '../db/client.js';
import type { GraphClient } from '../integrations/meta/graph-client.js';
import type { CredentialSource } from '../verification/credential-sources.js';
import { EvidenceScreen, type EvidenceRules } from '../verification/evidence-screen.js';
import type { MetaVerification } from '../verification/outcome.js';
import { instagramCommentStands } from './confirm-comment.js';
import { indexReader } from './index-credentials.js';
import { ensureIndexTarget, type IndexTargetRow } from './index-store.js';
import { findClaimInIndex, indexedCommentCounts, type IndexClaimant } from './match-in-index.js';
import { readFreshness, requestFreshness, type FreshnessRequester } from './request-freshness.js';
import { databaseNow } from './reaction-store.js';
import { instagramWebhooksActive } from '../webhook-subscriptions/subscription-store.js';
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
      /** First failed crawl since the last complete one (Temporal's clock) */
      readonly unreadableSince: Date | null;
    }
  /**
   * No crawl since `asOf` has finished (a long backfill, one that keeps failing before it reports):
   * look again later with the same `asOf`
   */
  | { readonly kind: 'pending'; readonly detail: string; readonly asOf: Date };

export interface IndexVerifyDeps extends FreshnessRequester {
  readonly db: Database;
}

/** Shown when a Facebook token sees comments or reactions without their authors. */
export const NOT_A_PAGE_TOKEN =
  'Meta returned no identities: the Facebook token is not a Page token, and only Page tokens can see who commented or reacted';

type Evidence = Extract<MetaVerification, { outcome: 'verified' }>['evidence'];

/** What one kind of indexed evidence (comments, reactions) brings to the shared flow below. */
export interface IndexedEvidence {
  /** The detail while its crawl runs, e.g. "The comment index of INSTAGRAM 123 is still being crawled" */
  readonly stillCrawling: string;
  /** The completeness this kind needs (reactions are listed by their own crawl) */
  readonly through?: (target: IndexTargetRow) => Date | null;
  find(target: IndexTargetRow, screen: EvidenceScreen): Promise<Evidence | undefined>;
  /** The answer when the index is complete and has no match */
  notFound(target: IndexTargetRow, screen: EvidenceScreen): Promise<MetaVerification>;
}

/** Steps 1–3 above, for any kind of indexed evidence. */
export async function verifyInIndex(
  deps: IndexVerifyDeps,
  key: IndexTargetKey,
  method: CredentialSource['method'],
  rules: EvidenceRules,
  evidence: IndexedEvidence,
  /** The time an earlier look asked the index to be fresh as of (absent: this is the first look) */
  askedAsOf?: Date,
): Promise<IndexVerification> {
  const { db } = deps;
  const verified = (found: Evidence): IndexVerification => ({ kind: 'checked', method, result: { outcome: 'verified', evidence: found } });

  // Webhooks fill only indexes whose target the tenant's credentials have read (readableAt).
  const already = await evidence.find(await ensureIndexTarget(db, key), new EvidenceScreen(rules));
  if (already) return verified(already);

  // The database's clock, as the crawl's "complete through" is: a worker's own clock, seconds
  // behind, would count a crawl that began before the claim as fresh enough.
  const asOf = askedAsOf ?? (await databaseNow(db));
  if (!askedAsOf) await requestFreshness(deps, key, asOf);
  const freshness = await readFreshness(db, key, asOf, evidence.through);
  if (freshness.state === 'pending') {
    // Asked again on a later look: deduplicated by the row's mark, so the index workflow hears of
    // it only if no crawl is owed (one that ended without covering it, a run that was lost).
    if (askedAsOf) await requestFreshness(deps, key, asOf);
    return { kind: 'pending', detail: evidence.stillCrawling, asOf };
  }
  if (freshness.state === 'failed') {
    return {
      kind: 'could_not_check',
      method,
      errorKind: freshness.kind,
      failedCrawls: freshness.target.failedCrawls,
      retryAt: freshness.target.retryAt,
      unreadableSince: freshness.target.unreadableSince,
      detail: `Meta could not be read for ${key.platform} ${key.targetId}: ${freshness.message}`,
    };
  }
  const screen = new EvidenceScreen(rules);
  const found = await evidence.find(freshness.target, screen);
  if (found) return verified(found);
  return { kind: 'checked', method, result: await evidence.notFound(freshness.target, screen) };
}

/**
 * Throws the OutboundError of a failed confirmation read of an Instagram comment (confirm-comment.ts).
 */
export async function verifyFromIndex(
  deps: IndexVerifyDeps & { readonly graph: GraphClient },
  key: IndexTargetKey,
  sources: readonly CredentialSource[],
  who: IndexClaimant,
  rules: EvidenceRules,
  askedAsOf?: Date,
): Promise<IndexVerification> {
  const reader = indexReader(key.platform, sources);
  if (!reader) {
    return { kind: 'no_credentials', reason: key.platform === 'INSTAGRAM' ? 'No Instagram token configured' : 'No Facebook Page token configured' };
  }
  const { db } = deps;
  return verifyInIndex(
    deps,
    key,
    reader.method,
    rules,
    {
      stillCrawling: `The comment index of ${key.platform} ${key.targetId} is still being crawled`,
      // Instagram reports no deletions: a match is confirmed with Meta before it verifies.
      find: (target, screen) =>
        findClaimInIndex(
          db,
          target,
          who,
          screen,
          key.platform === 'INSTAGRAM' ? (comment) => instagramCommentStands(deps, comment, reader.token) : undefined,
        ),
      async notFound(target, screen) {
        const counts = await indexedCommentCounts(db, target.id);
        if (key.platform === 'FACEBOOK' && !who.proofCode && counts.total > 0 && counts.anonymous === counts.total) {
          return { outcome: 'unsupported', reason: NOT_A_PAGE_TOKEN };
        }
        // A match passed over (already used, too old) is an answer: only "nothing matched" can hide a
        // reply that reaches the index through webhooks alone.
        if (key.platform === 'INSTAGRAM' && !screen.passedOver()) {
          const owner = reader.method === 'TENANT_META_API' ? { kind: 'tenant' as const, tenantId: key.tenantId } : { kind: 'platform' as const };
          const webhooks = await instagramWebhooksActive(db, owner, reader.instagramAccountId);
          if (!webhooks.active) {
            return {
              outcome: 'unsupported',
              reason:
                `COULD_NOT_CHECK: no comment found on Instagram media ${key.targetId} by the index, but replies on older threads ` +
                `reach it only through Meta's comment webhooks, and the ${reader.method === 'TENANT_META_API' ? "tenant's" : "platform's"} ` +
                `webhook subscription is not active for Instagram account ${reader.instagramAccountId ?? '(none)'} (${webhooks.status})`,
            };
          }
        }
        const whom = who.proofCode ? `with the code ${who.proofCode}` : key.platform === 'INSTAGRAM' ? `by @${who.handle}` : `by "${who.handle}"`;
        const what = key.platform === 'INSTAGRAM' ? 'Instagram media' : 'Facebook post';
        const through = target.completeThrough!.toISOString();
        return screen.notFound(`No comment ${whom} on ${what} ${key.targetId} (all ${counts.total} indexed comments up to ${through} checked)`);
      },
    },
    askedAsOf,
  );
}
