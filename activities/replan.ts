// The fan-out step of replanWaitingClaims: pages through the verified claims still waiting to be
// notified in the scope (PostgreSQL is the source of their status; a partial index holds only
// them) and signals each page (src/temporal/claim-signals.ts).
//
// Resumable and never doubled: the cursor (the last claim of the last page signalled) is the
// heartbeat's details, so a retry after a crash or a timeout starts after it — a claim is signalled
// at most once more, the page that was in flight. An attempt the server has given up on (heartbeat
// timeout) is cancelled at its next heartbeat and stops between batches, so it never runs beside
// its successor.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { signalEach, WAITING_PAGE_SIZE, type WaitingCursor, waitingClaimsPage } from '../src/temporal/claim-signals.js';
import type { ReplanScope } from '../workflows/replan-definitions.js';
import type { ActivityDeps } from './deps.js';

const HEARTBEAT_EVERY_MS = 1_000;

export function createReplanActivities(deps: Pick<ActivityDeps, 'db' | 'batchDb' | 'temporal' | 'logger'>) {
  const db = deps.batchDb ?? deps.db;
  return {
    /** Returns how many claims this attempt signalled. Throws when Temporal is unreachable: the activity retries from its cursor. */
    async signalWaitingClaims(scope: ReplanScope): Promise<number> {
      const context = Context.current();
      let cursor = context.info.heartbeatDetails as WaitingCursor | undefined;
      // Heartbeats every second with the cursor as it is (slow signals must not look like a dead worker).
      const beat = () => context.heartbeat(cursor);
      beat();
      const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
      let signalled = 0;
      try {
        for (;;) {
          const page = await waitingClaimsPage(db, scope, cursor);
          if (page.length > 0) {
            signalled += await signalEach(
              deps,
              page.map((claim) => claim.workflowId),
              context.cancellationSignal,
            );
            const last = page[page.length - 1]!;
            cursor = { campaignId: last.campaignId, id: last.id };
            beat();
          }
          if (page.length < WAITING_PAGE_SIZE) return signalled;
        }
      } catch (error) {
        if (!context.cancellationSignal.aborted) throw error;
        // Superseded (timed out), or the worker is shutting down: the next attempt resumes from the cursor.
        throw ApplicationFailure.retryable(`fan-out stopped after ${signalled} signals; resumes from its cursor`, 'Superseded');
      } finally {
        clearInterval(timer);
      }
    },
  };
}
