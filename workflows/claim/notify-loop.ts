// Step 2 of a verified claim: notify the end user inside the campaign's window. Each pass re-reads
// the campaign, so an edit (signalled by the API) or a wake-up applies the current settings, never
// a stale plan. Every pass that does not send ends in a durable wait (the window, or an hourly
// re-check of a held channel) that only a signal cuts short.
import { ActivityFailure, condition, continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import { isNotificationFinal } from '../../src/domain/statuses.js';
import { notificationActivities, sendActivities } from '../activity-stubs.js';
import type { ClaimWorkflow } from '../definitions.js';
import type { ClaimRun } from './claim-run.js';

/** A held notification (account needs reconnecting) re-checks at least this often. */
const HOLD_RECHECK_MS = 60 * 60_000;
/** Default history length past which a claim waiting to notify continues as new. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

export async function notifyLoop(run: ClaimRun): Promise<void> {
  const { input } = run;
  while (!isNotificationFinal(run.notificationStatus)) {
    await continueAsNewWhenHistoryIsLong(run);
    // A campaign edit or notify-now that arrived while the verify step was planning (a slow step
    // outlasts a workflow-task heartbeat, or backs off on a timer) makes that plan stale.
    if (run.wakeUp) run.firstPlan = undefined;
    run.wakeUp = false;
    const plan =
      run.firstPlan ??
      (await notificationActivities.planNotification({
        claimId: input.claimId,
        now: new Date().toISOString(),
        ignoreWindow: run.skipWindowOnce,
        maxDelayMs: input.notificationMaxDelayMs,
      }));
    run.firstPlan = undefined;
    run.notificationStatus = plan.notificationStatus;
    run.notBefore = plan.action === 'wait' ? plan.notBefore : undefined;
    const woken = () => run.wakeUp;
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
        run.skipWindowOnce = false;
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
  const { claimId, sendTaskQueue } = run.input;
  run.phase = 'NOTIFYING';
  let sent;
  try {
    sent = await sendActivities(sendTaskQueue, channelKey).sendNotification({ claimId });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    run.notificationStatus = await notificationActivities.markNotificationFailed({
      claimId,
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

/** A claim that waits long (weeks of campaign edits) starts a fresh history, keeping its state. */
async function continueAsNewWhenHistoryIsLong(run: ClaimRun): Promise<void> {
  const { input } = run;
  const info = workflowInfo();
  if (info.historyLength < (input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS) && !info.continueAsNewSuggested) return;
  log.info('continuing as new: long history', { completionId: input.claimId, historyLength: info.historyLength });
  await continueAsNew<ClaimWorkflow>({ ...input, resumeNotifying: { skipWindowOnce: run.skipWindowOnce } });
}
