// Verification through Meta's Graph API with the claim's own tenant's credentials (then the
// platform's). What Meta cannot check, or what no credentials cover, goes back to the workflow as
// 'fallback' so the task's fallback strategy decides, and the claim says why.
import { Context } from '@temporalio/activity';
import { indexedReactionTarget } from '../src/comment-index/reaction-target.js';
import { indexReader } from '../src/comment-index/index-credentials.js';
import { indexedTarget } from '../src/comment-index/target-key.js';
import { verifyFromIndex, type IndexVerification } from '../src/comment-index/verify-from-index.js';
import { verifyReactionFromIndex } from '../src/comment-index/verify-reaction-from-index.js';
import type { MetaVerificationMethod } from '../src/domain/statuses.js';
import { OutboundError } from '../src/integrations/outbound-error.js';
import { evidenceReserver } from '../src/verification/evidence-use.js';
import type { EvidenceRules } from '../src/verification/evidence-screen.js';
import { firstHandle } from '../src/verification/handle-match.js';
import { verifyActionWithMeta } from '../src/verification/meta-verifier.js';
import type { IndexLook, VerificationOutcome } from './claim-types.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from '../src/worker/activity-failures.js';
import { loadMetaCredentialSources } from '../src/verification/credential-sources.js';

export function createVerificationActivities({
  config,
  db,
  secrets,
  temporal,
  graph,
}: Pick<ActivityDeps, 'config' | 'db' | 'secrets' | 'temporal' | 'graph'>) {
  /**
   * Comments on a media or Page post are decided from the target's comment index (one shared,
   * incrementally crawled copy per tenant and target), not by paging Meta for every claim.
   */
  async function verifyCommentFromIndex(
    key: { tenantId: string; platform: 'INSTAGRAM' | 'FACEBOOK'; targetId: string },
    who: { handle: string | undefined; proofCode: string | undefined },
    rules: EvidenceRules,
    earlier: IndexLook | undefined,
  ): Promise<VerificationOutcome> {
    const platformName = key.platform === 'INSTAGRAM' ? 'Instagram username' : 'Facebook name';
    // Nothing to look for is not "Meta cannot tell us": the fallback would pay without a check.
    if (!who.handle && !who.proofCode) return nothingToLookFor(`The user gave no ${platformName} (neither in the claim nor in the profile)`);
    const sources = await loadMetaCredentialSources(db, secrets, key.tenantId);
    let checked: IndexVerification;
    try {
      checked = await verifyFromIndex({ ...indexDeps(), graph }, key, sources, who, rules, askedAsOf(earlier));
    } catch (error) {
      // The read confirming an indexed comment still stands failed: rejected credentials wait like a
      // crawl's; anything else is retried, and a claim never verifies on an unconfirmed comment.
      if (error instanceof OutboundError && error.kind === 'auth') {
        const method = indexReader(key.platform, sources)?.method ?? 'TENANT_META_API';
        return { kind: 'credentials_rejected', method, detail: `Meta rejected the ${describe(method)} credentials: ${error.message}` };
      }
      throw toActivityFailure(error, 'Confirming the comment with Meta');
    }
    return fromIndexVerification(checked, earlier);
  }

  const indexDeps = () => ({
    db,
    temporal,
    taskQueue: config.temporal.taskQueue,
    coalesceMs: config.commentIndex.coalesceMs,
  });

  /** A Facebook LIKE claim, decided from the post's indexed reactions (matched by display name). */
  async function verifyReactionFromIndexed(
    key: { tenantId: string; platform: 'FACEBOOK'; targetId: string },
    handle: string | undefined,
    rules: EvidenceRules,
    earlier: IndexLook | undefined,
  ): Promise<VerificationOutcome> {
    if (!handle) return nothingToLookFor('The user gave no Facebook name (neither in the claim nor in the profile)');
    const sources = await loadMetaCredentialSources(db, secrets, key.tenantId);
    return fromIndexVerification(await verifyReactionFromIndex(indexDeps(), key, sources, handle, rules, askedAsOf(earlier)), earlier);
  }

  /** The same VERIFIED / NOT_FOUND / COULD_NOT_CHECK rules for comments and reactions. */
  function fromIndexVerification(checked: IndexVerification, earlier: IndexLook | undefined): VerificationOutcome {
    switch (checked.kind) {
      case 'no_credentials':
        return { kind: 'fallback', detail: `No Meta credentials can check this task (${checked.reason})` };
      case 'pending': {
        // Not a failure of the check: the backfill of a big post takes a while. Look again later
        // for the same time, unless this claim has waited the whole outage period. The crawl it
        // waits for has not answered yet: an earlier unreadable spell (rejected credentials, say)
        // is for that crawl's failure to report, not a reason to skip it.
        const outage = outageSoFar(earlier);
        if (outage >= config.commentIndex.outageFallbackMs) {
          return { kind: 'fallback', detail: `COULD_NOT_CHECK for ${describeOutage(outage)}: ${checked.detail}` };
        }
        return lookAgain(earlier, checked.detail, nextLookDelayMs(earlier), checked.asOf);
      }
      case 'could_not_check': {
        if (checked.errorKind === 'auth') {
          return {
            kind: 'credentials_rejected',
            method: checked.method,
            detail: `Meta rejected the ${describe(checked.method)} credentials: ${checked.detail}`,
          };
        }
        if (checked.errorKind === 'no_credentials')
          return { kind: 'fallback', detail: `No Meta credentials can check this task (${checked.detail})` };
        // A target Meta refuses for good (deleted, no access) falls back after a few crawls; an outage
        // (errors, throttling) only once it has lasted the configured period: until then the claim waits.
        if (checked.errorKind === 'permanent' && checked.failedCrawls >= config.commentIndex.checkAttempts) {
          return { kind: 'fallback', detail: `COULD_NOT_CHECK after ${checked.failedCrawls} failed crawls: ${checked.detail}` };
        }
        const outage = outageSoFar(earlier, checked.unreadableSince);
        if (outage >= config.commentIndex.outageFallbackMs) {
          return { kind: 'fallback', detail: `COULD_NOT_CHECK: Meta could not be read for ${describeOutage(outage)}: ${checked.detail}` };
        }
        // Throttled: look again once Meta's regain time has passed, not in the usual spacing. The
        // next look asks for a new crawl (this one's failure answered the request it made).
        const afterMs = checked.retryAt ? Math.min(Math.max(checked.retryAt.getTime() - Date.now(), 1_000), 60 * 60_000) : nextLookDelayMs(earlier);
        return lookAgain(
          earlier,
          `COULD_NOT_CHECK (Meta unreadable for ${describeOutage(outage)}, ${checked.failedCrawls} failed crawls): ${checked.detail}`,
          afterMs,
        );
      }
      case 'checked': {
        const { result, method } = checked;
        switch (result.outcome) {
          case 'verified':
            return {
              kind: 'decided',
              verified: true,
              method,
              evidence: result.evidence,
              reason: 'VERIFIED_BY_META',
              detail: `Verified with the ${describe(method)} Meta credentials`,
            };
          case 'not_found':
            return { kind: 'decided', verified: false, method, detail: result.detail, reason: result.reason ?? 'NOT_FOUND_ON_POST' };
          case 'unsupported':
          case 'no_credentials':
            return { kind: 'fallback', detail: result.reason };
        }
      }
    }
  }

  return {
    /** `earlier`: what the claim's previous look at its target's index asked for (absent: the first look). */
    async verifyWithMeta(claimId: string, earlier?: IndexLook): Promise<VerificationOutcome> {
      const claim = await db.claim.findUniqueOrThrow({
        where: { id: claimId },
        include: { task: true, user: true },
      });
      const task = {
        platform: claim.task.platform,
        actionType: claim.task.actionType,
        targetId: claim.task.targetId ?? undefined,
        targetUrl: claim.task.targetUrl ?? undefined,
      };
      const user = {
        handle: claim.handle ?? undefined,
        instagramUsername: claim.user.instagramUsername ?? undefined,
        facebookName: claim.user.facebookName ?? undefined,
        proofCode: claim.proofCode ?? undefined,
      };
      // Evidence must postdate the task and may verify only one claim of it.
      const rules = {
        notBefore: claim.task.createdAt,
        accept: evidenceReserver(db, { tenantId: claim.tenantId, taskId: claim.taskId, claimId }),
      };
      const reactionTarget = indexedReactionTarget(claim.task);
      if (reactionTarget) {
        return verifyReactionFromIndexed(
          { tenantId: claim.tenantId, ...reactionTarget },
          firstHandle(user.handle, user.facebookName),
          rules,
          earlier,
        );
      }
      const indexed = indexedTarget(claim.task);
      if (indexed) {
        const profile = indexed.platform === 'INSTAGRAM' ? user.instagramUsername : user.facebookName;
        return verifyCommentFromIndex(
          { tenantId: claim.tenantId, ...indexed },
          { handle: firstHandle(user.handle, profile), proofCode: user.proofCode },
          rules,
          earlier,
        );
      }
      const reasons: string[] = [];
      for (const source of await loadMetaCredentialSources(db, secrets, claim.tenantId)) {
        let result;
        try {
          result = await verifyActionWithMeta({ client: graph, credentials: source.credentials, task, user, rules });
        } catch (error) {
          if (error instanceof OutboundError && error.kind === 'auth') {
            // The tenant's credentials exist but are rejected: do not silently switch to the
            // platform's; the claim waits for the tenant to fix them.
            return {
              kind: 'credentials_rejected',
              method: source.method,
              detail: `Meta rejected the ${describe(source.method)} credentials: ${error.message}`,
            };
          }
          if (error instanceof OutboundError && error.kind === 'permanent') {
            return { kind: 'fallback', detail: `Meta could not check this task (${error.message})` };
          }
          throw toActivityFailure(error, 'Meta verification');
        }
        switch (result.outcome) {
          case 'verified':
            return {
              kind: 'decided',
              verified: true,
              method: source.method,
              evidence: result.evidence,
              reason: 'VERIFIED_BY_META',
              detail: `Verified with the ${describe(source.method)} Meta credentials`,
            };
          case 'not_found':
            return { kind: 'decided', verified: false, method: source.method, detail: result.detail, reason: result.reason ?? 'NOT_FOUND_ON_POST' };
          case 'unsupported':
            return { kind: 'fallback', detail: result.reason };
          case 'no_credentials':
            reasons.push(`${source.method === 'TENANT_META_API' ? 'tenant' : 'platform'}: ${result.reason}`);
            continue;
        }
      }
      return { kind: 'fallback', detail: `No Meta credentials can check this task (${reasons.join('; ')})` };
    },
  };
}

/** A claim with no handle (and no proof code) to look for fails: the API refuses such claims (HANDLE_REQUIRED). */
function nothingToLookFor(detail: string): VerificationOutcome {
  return { kind: 'decided', verified: false, detail, reason: 'NOT_FOUND_ON_POST' };
}

/**
 * How long Meta has kept this claim from an answer, on Temporal's clock (the clock the timers and
 * the time-skipping tests run on): since the claim's first look at the index, or since its target
 * became unreadable, whichever is longer.
 */
function outageSoFar(earlier: IndexLook | undefined, unreadableSince: Date | null = null): number {
  const now = Context.current().info.currentAttemptScheduledTimestampMs;
  return Math.max(now - waitingSince(earlier), unreadableSince ? now - unreadableSince.getTime() : 0);
}

function waitingSince(earlier: IndexLook | undefined): number {
  return earlier?.waitingSinceMs ?? Context.current().info.scheduledTimestampMs;
}

/** Hands the wait to the claim workflow's timer; `asOf` is kept while the request it made is still owed. */
function lookAgain(earlier: IndexLook | undefined, detail: string, afterMs: number, asOf?: Date): VerificationOutcome {
  const look: IndexLook = { waitingSinceMs: waitingSince(earlier), looks: (earlier?.looks ?? 0) + 1, ...(asOf ? { asOf: asOf.toISOString() } : {}) };
  return { kind: 'look_again', afterMs, detail, look };
}

function askedAsOf(earlier: IndexLook | undefined): Date | undefined {
  return earlier?.asOf ? new Date(earlier.asOf) : undefined;
}

/** The next look at the index: soon at first (a small post's crawl takes seconds), then at most a minute apart, so a claim is decided soon after Meta is back. */
function nextLookDelayMs(earlier: IndexLook | undefined): number {
  return Math.min(FIRST_LOOK_AGAIN_MS * 2 ** Math.min(earlier?.looks ?? 0, 10), LOOK_AGAIN_AT_MOST_MS);
}

const FIRST_LOOK_AGAIN_MS = 2_000;
const LOOK_AGAIN_AT_MOST_MS = 60_000;

function describeOutage(ms: number): string {
  return ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}

function describe(method: MetaVerificationMethod): string {
  return method === 'TENANT_META_API' ? "tenant's" : "platform's";
}
