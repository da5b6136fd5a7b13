// Step 2 of a verified claim: notify the end user inside the campaign's window. Each pass re-reads
// the campaign, so an edit (signalled by the API) or a wake-up applies the current settings, never
// a stale plan. Every pass that does not send ends in a durable wait (the window, or an hourly
// re-check of a held channel) that only a signal cuts short.
import { ActivityFailure, condition, continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import { isNotificationFinal } from '../../src/domain/statuses.js';
import { localNotificationActivities, notificationActivities, pacedSendActivities, sendActivities } from '../activity-stubs.js';
import type { ClaimWorkflow } from '../definitions.js';
import { type ClaimRun, usesLocalSteps } from './claim-run.js';

/** A held notification (account needs reconnecting) re-checks at least this often. */
const HOLD_RECHECK_MS = 60 * 60_000;
/** Default history length past which a claim waiting to notify continues as new. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
/** patched() id: notify-now skips the window for one send instead of every wait. */
const NOTIFY_NOW_SKIPS_WINDOW_ONCE = 'notify-now-skips-window-once';

export async function notifyLoop(run: ClaimRun): Promise<void> {
  const { input } = run;
  while (!isNotificationFinal(run.notificationStatus)) {
    await continueAsNewWhenHistoryIsLong(run);
    // Runs started before notify-now meant "skip the window once" never cleared it (and looped
    // on a held claim); their recorded histories must replay as they ran. Runs with local steps
    // are newer still, so they skip that patch marker (and its search-attribute event).
    const local = usesLocalSteps(run);
    const notifyNowOnce = local || patched(NOTIFY_NOW_SKIPS_WINDOW_ONCE);
    run.wakeUp = false;
    const plan =
      run.firstPlan ??
      (await planner(run).planNotification({
        completionId: input.completionId,
        now: new Date().toISOString(),
        ignoreWindow: run.skipWindowOnce,
        maxDelayMs: input.notificationMaxDelayMs,
      }));
    run.firstPlan = undefined;
    run.notificationStatus = plan.notificationStatus;
    run.notBefore = plan.action === 'wait' ? plan.notBefore : undefined;
    const woken = () => run.wakeUp || (!notifyNowOnce && run.skipWindowOnce);
    switch (plan.action) {
      case 'done':
        return;
      case 'wait':
        run.phase = 'WAITING_FOR_WINDOW';
        await condition(woken, Math.max(1, Date.parse(plan.notBefore) - Date.now()), {
          summary: `Wait for the notification window (${plan.notBefore})`,
        });
        continue;
      case 'hold':
        run.phase = 'HELD';
        run.detail = plan.reason;
        await condition(woken, HOLD_RECHECK_MS, { summary: `Notification held: ${plan.reason}` });
        continue;
      case 'send': {
        if (notifyNowOnce) run.skipWindowOnce = false;
        const sent = await send(run, plan.channelKey);
        if (sent === 'gave_up') return;
        if (sent === 'held') await condition(woken, HOLD_RECHECK_MS, { summary: 'Notification held: channel credentials rejected' });
        continue;
      }
      default: {
        const unknown: never = plan;
        throw new Error(`unknown notification plan ${JSON.stringify(unknown)}`);
      }
    }
  }
}

/**
 * One send. Retries exhausted (provider down or rate-limited for the whole retry budget) fail the
 * notification and end the loop; a send that found the account's token rejected leaves the
 * notification held, not failed.
 */
async function send(run: ClaimRun, channelKey: string | undefined): Promise<'recorded' | 'held' | 'gave_up'> {
  const { completionId, sendTaskQueue } = run.input;
  run.phase = 'NOTIFYING';
  // Same command either way; only its task queue and fairness key differ (no patch needed).
  const sender = sendTaskQueue ? pacedSendActivities(sendTaskQueue, channelKey) : sendActivities;
  let sent;
  try {
    sent = await sender.sendNotification({ completionId });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    run.notificationStatus = await planner(run).markNotificationFailed({
      completionId,
      reason: `sending failed after retries: ${error.cause?.message ?? error.message}`,
    });
    return 'gave_up';
  }
  run.notificationStatus = sent.notificationStatus;
  if (sent.held) {
    run.phase = 'HELD';
    run.detail = sent.detail;
    return 'held';
  }
  return 'recorded';
}

/** Planning and bookkeeping stubs of this run: local activities unless recorded before them. */
const planner = (run: ClaimRun) => (run.localSteps ? localNotificationActivities : notificationActivities);

/** A claim that waits long (weeks of campaign edits) starts a fresh history, keeping its state. */
async function continueAsNewWhenHistoryIsLong(run: ClaimRun): Promise<void> {
  const { input } = run;
  const info = workflowInfo();
  if (info.historyLength < (input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS) && !info.continueAsNewSuggested) return;
  log.info('continuing as new: long history', { completionId: input.completionId, historyLength: info.historyLength });
  await continueAsNew<ClaimWorkflow>({ ...input, resumeNotifying: { skipWindowOnce: run.skipWindowOnce } });
}
