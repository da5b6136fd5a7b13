// The crawl behind the comment-index entity workflow: reads a target's new comments (all of them
// the first time) with the tenant's (else the platform's) token, paced by that token's Meta usage,
// and stores them in the index. Its outcome is written to the index row, where the claims waiting
// for it read it: complete through the crawl's start, or why it could not be read.
import { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { crawlTarget } from '../src/comment-index/crawl-target.js';
import { indexReader } from '../src/comment-index/index-credentials.js';
import {
  ensureIndexTarget,
  recordCompleteCrawl,
  recordCrawlError,
  recordCrawlProgress,
  storedCrawlProgress,
  upsertComments,
} from '../src/comment-index/index-store.js';
import type { IndexTargetKey } from '../src/comment-index/target-key.js';
import { crawlReactions } from '../src/comment-index/crawl-reactions.js';
import { databaseNow, recordCompleteReactionCrawl, upsertReactions } from '../src/comment-index/reaction-store.js';
import { indexNeeds } from '../src/comment-index/reaction-target.js';
import { UsagePacer } from '../src/comment-index/usage-pacer.js';
import { createGraphClient } from '../src/integrations/meta/graph-client.js';
import { OutboundError } from '../src/integrations/outbound-error.js';
import type { ActivityDeps } from './deps.js';
import { toActivityFailure } from './failures.js';
import { loadMetaCredentialSources } from './meta-credentials.js';

/** The pacer's key for a token's Meta budget: a digest, so no token is kept as a map key. */
function tokenBudgetKey(token: string): string {
  return `token:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
}

/** A pause longer than this is not slept through inside the activity: it retries after it instead. */
const MAX_INLINE_PAUSE_MS = 60_000;

export interface CrawlOutcome {
  /** ISO time the index is complete through; null when the crawl could not read the target */
  readonly completeThrough: string | null;
  readonly pages: number;
  readonly comments: number;
  /** Why not, for the history (never a token) */
  readonly failure?: { readonly kind: string; readonly message: string };
}

export function createCommentIndexActivities({ config, db, secrets }: Pick<ActivityDeps, 'config' | 'db' | 'secrets'>, pacer = new UsagePacer()) {
  return {
    async crawlCommentIndex(key: IndexTargetKey): Promise<CrawlOutcome> {
      const target = await ensureIndexTarget(db, key);
      const { attempt, currentAttemptScheduledTimestampMs } = Context.current().info;
      // Failures are dated on Temporal's clock: the claims measure an outage on the same one.
      const failedAt = { firstAttempt: attempt === 1, at: new Date(currentAttemptScheduledTimestampMs) };
      const reader = indexReader(key.platform, await loadMetaCredentialSources(db, secrets, key.tenantId));
      // Meta's budget is the token's: tenants without credentials of their own share the platform's
      // token, and one of them exhausting it must slow them all, not only itself.
      const budget = reader ? tokenBudgetKey(reader.token) : key.tenantId;
      // A retry after throttling comes after Temporal waited Meta's regain time (nextRetryDelay).
      if (Context.current().info.attempt > 1) pacer.liftBlock(budget);
      if (!reader) {
        const message = `Neither the tenant nor the platform has ${key.platform === 'INSTAGRAM' ? 'an Instagram token' : 'a Facebook Page token'} configured`;
        await recordCrawlError(db, target.id, { kind: 'no_credentials', message, pages: 0, ...failedAt });
        return { completeThrough: null, pages: 0, comments: 0, failure: { kind: 'no_credentials', message } };
      }
      let pages = 0;
      const client = createGraphClient({
        baseUrl: config.meta.graphBaseUrl,
        version: config.meta.graphVersion,
        appId: config.meta.appId,
        appSecret: config.meta.appSecret,
        timeoutMs: config.outboundHttpTimeoutMs,
        beforeRequest: async () => {
          const pause = pacer.pauseMs(budget);
          if (pause > MAX_INLINE_PAUSE_MS) {
            throw new OutboundError({
              kind: 'rate_limited',
              service: 'meta',
              message: `pacing: the Meta usage of this token asks for a ${Math.round(pause / 1000)} s pause`,
              retryAfterMs: pause,
            });
          }
          if (pause > 0) {
            Context.current().heartbeat({ pages, pausedMs: pause });
            await Context.current().sleep(pause);
          }
        },
        onResponseHeaders: (headers) => {
          pages += 1;
          pacer.observe(budget, headers);
        },
      });
      // Everything created before the first read is in the index once the crawl completes; a crawl
      // resumed from an earlier one's checkpoint is complete through that one's start. The
      // database's clock: claims on other workers compare their own request time with it.
      const resume = storedCrawlProgress(target.crawlProgress);
      const startedAt = resume ? new Date(resume.startedAt) : await databaseNow(db);
      const needs = await indexNeeds(db, key);
      try {
        const crawl = needs.comments
          ? await crawlTarget({
              client,
              token: reader.token,
              platform: key.platform,
              targetId: key.targetId,
              watermark: target.crawlWatermark,
              save: async (comments) => void (await upsertComments(db, target, comments, 'CRAWL')),
              progress: (read) => Context.current().heartbeat({ pages: read }),
              resume,
              checkpoint: async (at) => {
                const progress = { startedAt: startedAt.toISOString(), ...at };
                await recordCrawlProgress(db, target.id, progress);
                Context.current().heartbeat({ pages, resumeAfter: at.after });
              },
            })
          : { comments: 0, newestSeen: undefined };
        if (needs.reactions) {
          // Reactions new since the last complete listing were made after it (null: first listing).
          const reactionsStartedAt = await databaseNow(db);
          const madeAfter = target.reactionsCompleteThrough;
          const reactions = await crawlReactions({
            client,
            token: reader.token,
            postId: key.targetId,
            save: async (batch) => void (await upsertReactions(db, target, batch, 'CRAWL', madeAfter)),
            progress: (read) => Context.current().heartbeat({ pages, reactionPages: read }),
          });
          await recordCompleteReactionCrawl(db, target.id, { startedAt: reactionsStartedAt, anonymous: reactions.anonymous });
        }
        await recordCompleteCrawl(db, target.id, { startedAt, newestSeen: crawl.newestSeen, pages, commentsSkipped: !needs.comments });
        return { completeThrough: startedAt.toISOString(), pages, comments: crawl.comments };
      } catch (error) {
        if (!(error instanceof OutboundError)) throw toActivityFailure(error, 'Comment index crawl');
        if (error.kind === 'rate_limited') pacer.throttled(budget, error.retryAfterMs);
        await recordCrawlError(db, target.id, { kind: error.kind, message: error.message, pages, retryAfterMs: error.retryAfterMs, ...failedAt });
        // Unreadable target or rejected credentials: retrying now changes nothing; the claims decide.
        if (error.kind === 'permanent' || error.kind === 'auth') {
          return { completeThrough: null, pages, comments: 0, failure: { kind: error.kind, message: error.message } };
        }
        throw toActivityFailure(error, 'Comment index crawl');
      }
    },
  };
}
