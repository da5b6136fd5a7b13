// One entity workflow per watched target and tenant, id `comment-index-{tenantId}-{targetId}`,
// started or signalled with signal-with-start by whoever needs the index fresh (a claim about to
// be matched, a task just created). It runs one crawl at a time: requests that arrive within the
// coalescing window, or while a crawl runs, are answered by one crawl, because a crawl that starts
// after a request was made covers it. Claims learn the outcome from the index row in PostgreSQL.
// Idle for IDLE_MS, the run ends; the next request starts a new one.
import { ActivityFailure, condition, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { commentIndexActivities } from './activity-stubs.js';
import { freshnessRequestedSignal, type CommentIndexWorkflowInput } from './comment-index-definitions.js';

const IDLE_MS = 10 * 60_000;
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

export async function indexTargetComments(input: CommentIndexWorkflowInput): Promise<void> {
  const { tenantId, platform, targetId } = input;
  /** The newest asOf requested and not yet covered by a crawl */
  let owed: number | undefined = input.owedAsOf ? Date.parse(input.owedAsOf) : undefined;
  setHandler(freshnessRequestedSignal, ({ asOf }) => {
    const at = Date.parse(asOf);
    if (Number.isNaN(at)) return;
    owed = owed === undefined ? at : Math.max(owed, at);
  });

  for (;;) {
    if (!(await condition(() => owed !== undefined, IDLE_MS))) return;
    // Let the claims verifying at about the same moment join this crawl.
    await sleep(input.coalesceMs);
    owed = undefined;
    try {
      const crawl = await commentIndexActivities.crawlCommentIndex({ tenantId, platform, targetId });
      // Requests made while the crawl ran but before it started reading are covered by it too.
      if (crawl.completeThrough && owed !== undefined && owed <= Date.parse(crawl.completeThrough)) owed = undefined;
    } catch (error) {
      // Retries exhausted (Meta unavailable or throttling): the activity recorded why; the
      // waiting claims retry later and ask again.
      if (!(error instanceof ActivityFailure)) throw error;
    }
    const info = workflowInfo();
    if (info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS || info.continueAsNewSuggested) {
      const { owedAsOf: _carried, ...rest } = input;
      await continueAsNew<typeof indexTargetComments>({ ...rest, ...(owed !== undefined ? { owedAsOf: new Date(owed).toISOString() } : {}) });
    }
  }
}
