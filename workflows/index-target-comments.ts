// One entity workflow per watched target and tenant, id `comment-index-{tenantId}-{targetId}`,
// started or signalled with signal-with-start by whoever needs the index fresh (a claim about to
// be matched, a task just created). It runs one crawl at a time: requests that arrive within the
// coalescing window, or while a crawl runs, are answered by one crawl, because a crawl that starts
// after a request was made covers it. Claims learn the outcome from the index row in PostgreSQL.
// A crawl that fails for a passing reason (Meta down, throttling: its retries exhausted) leaves the
// request owed and is tried again after a backoff; Meta refusing the target for good drops it (the
// claims decide). Idle for IDLE_MS, the run ends; the next request starts a new one.
//
// Its history stays bounded however many requests arrive: each is one signal, folded into the
// newest time owed, and once the run has EVENT_BUDGET events (or Temporal suggests it) it continues
// as new with that time, also in the middle of a crawl. The crawl is then cancelled and the next run
// crawls again from the checkpoint the cut one left on the index row.
import { ActivityFailure, CancellationScope, condition, continueAsNew, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CrawlOutcome } from '../activities/comment-index.js';
import { commentIndexActivities } from './activity-stubs.js';
import { freshnessRequestedSignal, type CommentIndexWorkflowInput } from './comment-index-definitions.js';

const IDLE_MS = 10 * 60_000;
/** Events after which a run continues as new (Temporal terminates a run at 51,200). */
const EVENT_BUDGET = 1_000;
/** The next crawl after one that failed for a passing reason: sooner first, then every 30 s (claims are decided soon after Meta is back). */
const RETRY_BACKOFF_MS = [5_000, 15_000, 30_000];

export async function indexTargetComments(input: CommentIndexWorkflowInput): Promise<void> {
  /** The newest asOf requested and not yet covered by a crawl */
  let owed: number | undefined = input.owedAsOf ? Date.parse(input.owedAsOf) : undefined;
  let failedInARow = input.failedInARow ?? 0;
  const owe = (at: number | undefined) => {
    if (at !== undefined) owed = owed === undefined ? at : Math.max(owed, at);
  };
  setHandler(freshnessRequestedSignal, ({ asOf }) => {
    const at = Date.parse(asOf);
    if (!Number.isNaN(at)) owe(at);
  });
  const historyIsLong = () => {
    const info = workflowInfo();
    return info.historyLength >= EVENT_BUDGET || info.continueAsNewSuggested;
  };
  const continueWithWhatIsOwed = () => {
    const { owedAsOf: _owed, failedInARow: _failed, ...rest } = input;
    return continueAsNew<typeof indexTargetComments>({
      ...rest,
      ...(owed !== undefined ? { owedAsOf: new Date(owed).toISOString() } : {}),
      ...(failedInARow > 0 ? { failedInARow } : {}),
    });
  };

  for (;;) {
    if (historyIsLong()) await continueWithWhatIsOwed();
    if (!(await condition(() => owed !== undefined || historyIsLong(), IDLE_MS))) return;
    if (owed === undefined) continue;
    // Let the claims verifying at about the same moment join this crawl.
    await condition(historyIsLong, input.coalesceMs);
    if (historyIsLong()) continue;
    const covering = owed;
    owed = undefined;
    const crawl = await crawlUnlessHistoryIsLong(input, historyIsLong);
    switch (crawl.kind) {
      case 'done': {
        failedInARow = 0;
        const through = crawl.outcome.completeThrough ? Date.parse(crawl.outcome.completeThrough) : undefined;
        // A crawl resumed from an earlier one's checkpoint is complete only through that one's start.
        if (through !== undefined && through < covering) owe(covering);
        // Requests made while the crawl ran but before it started reading are covered by it too.
        if (through !== undefined && owed !== undefined && owed <= through) owed = undefined;
        // Meta refused the target (or no credentials): nothing to retry now, the claims decide.
        break;
      }
      case 'cut_short':
        owe(covering);
        break;
      case 'failed': {
        // Retries exhausted (Meta unavailable or throttling): the activity recorded why on the
        // row; the request stays owed and the next crawl comes after a backoff.
        owe(covering);
        const backoff = RETRY_BACKOFF_MS[Math.min(failedInARow, RETRY_BACKOFF_MS.length - 1)]!;
        failedInARow += 1;
        await condition(historyIsLong, backoff);
        break;
      }
      default: {
        const unknown: never = crawl;
        throw new Error(`unknown crawl result ${JSON.stringify(unknown)}`);
      }
    }
  }
}

type CrawlResult = { kind: 'done'; outcome: CrawlOutcome } | { kind: 'cut_short' } | { kind: 'failed' };

/** One crawl, cancelled if the history grows long meanwhile (the next run resumes it from its checkpoint). */
async function crawlUnlessHistoryIsLong(input: CommentIndexWorkflowInput, isLong: () => boolean): Promise<CrawlResult> {
  const { tenantId, platform, targetId } = input;
  const crawlScope = new CancellationScope();
  const watchScope = new CancellationScope();
  const finished = crawlScope
    .run(() => commentIndexActivities.crawlCommentIndex({ tenantId, platform, targetId }))
    .then(
      (outcome): CrawlResult => ({ kind: 'done', outcome }),
      (error: unknown): CrawlResult => {
        if (error instanceof ActivityFailure || isCancellation(error)) return { kind: 'failed' };
        throw error;
      },
    );
  // Cancelled once the crawl is over, so no condition outlives this run (a continue-as-new).
  const cut = watchScope
    .run(() => condition(isLong))
    .then(
      (): CrawlResult => ({ kind: 'cut_short' }),
      (): undefined => undefined,
    );
  const first = await Promise.race([finished, cut]);
  if (first && first.kind !== 'cut_short') {
    watchScope.cancel();
    await cut;
    return first;
  }
  crawlScope.cancel();
  await finished;
  return { kind: 'cut_short' };
}
