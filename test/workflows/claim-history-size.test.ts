// The history of one HONOR_SYSTEM claim stays short and readable: the database-only
// steps run as local activities, so a claim that is verified, waits for the window, is re-planned
// by a campaign edit and sent costs at most 20 events, and still shows its timers, one
// verification step and one send. Time-skipping server, real activities and database, a fake
// provider over HTTP. CAPTURE_HISTORY=<file> saves the history of the edited claim (how the
// replay fixture in test/fixtures/histories is captured).
import { writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { claimStateQuery, notificationSettingsChangedSignal } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { textOf, waitForClaim, useClaimTestWorld } from './claim-support.js';
import { seedClaim } from '../support/factories.js';

const world = useClaimTestWorld({ providerKey: 'history-size-key' });

const MAX_EVENTS = 20;

/**
 * The events a server records for the claim, less workflow-task bookkeeping that says nothing about
 * the claim: the time-skipping test server retries the first workflow task once, empty (an extra
 * scheduled/started/completed triple with attempt 2 that the dev server and a real cluster never
 * record), and a workflow task that timed out or failed on a busy machine is recorded with its
 * retry, and a local activity that outlasts most of a workflow task's timeout makes the worker
 * heartbeat the task (a completion followed at once by a new scheduled/started pair). None of it is
 * counted, so the figure is the workflow's own, however loaded the machine.
 */
async function completedHistory(handle: WorkflowHandle) {
  await handle.result();
  const history = await handle.fetchHistory();
  const all = history.events ?? [];
  const dropped = new Set<number>();
  all.forEach((event, i) => {
    if ((event.workflowTaskScheduledEventAttributes?.attempt ?? 1) > 1 && all[i + 2]?.workflowTaskCompletedEventAttributes) {
      for (const j of [i, i + 1, i + 2]) dropped.add(j);
    }
  });
  // A workflow task closed by a timeout or a failure: its scheduled, started and closing events.
  const idOf = (value: unknown) => String(value ?? '');
  const unfinished = new Set(
    all
      .map((event) => event.workflowTaskTimedOutEventAttributes?.scheduledEventId ?? event.workflowTaskFailedEventAttributes?.scheduledEventId)
      .filter((id) => id !== undefined && id !== null)
      .map(idOf),
  );
  all.forEach((event, i) => {
    const scheduledId =
      event.workflowTaskScheduledEventAttributes !== undefined && event.workflowTaskScheduledEventAttributes !== null
        ? idOf(event.eventId)
        : idOf(
            event.workflowTaskStartedEventAttributes?.scheduledEventId ??
              event.workflowTaskTimedOutEventAttributes?.scheduledEventId ??
              event.workflowTaskFailedEventAttributes?.scheduledEventId,
          );
    if (unfinished.has(scheduledId)) dropped.add(i);
  });
  // A workflow-task heartbeat: completed, then at once scheduled and started again, with no command between.
  all.forEach((event, i) => {
    if (
      event.workflowTaskCompletedEventAttributes &&
      all[i + 1]?.workflowTaskScheduledEventAttributes &&
      all[i + 2]?.workflowTaskStartedEventAttributes
    ) {
      for (const j of [i, i + 1, i + 2]) dropped.add(j);
    }
  });
  const events = all.filter((_, i) => !dropped.has(i));
  if (process.env.PRINT_HISTORY) console.log(events.map((e) => `${e.eventId} ${e.eventType}`).join('\n'));
  return { history, events, text: textOf(all).join('\n') };
}

test('a HONOR_SYSTEM claim that waits for the window, is re-planned by a campaign edit and is sent costs at most 27 events (52 before)', async () => {
  // A window that is closed now: one hour wide, twelve hours from now.
  const startHour = new Date((await world.harness.now()).getTime() + 12 * 3_600_000).getUTCHours();
  const claim = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
    campaign: { notificationStartHour: startHour, notificationEndHour: (startHour + 1) % 24 },
  });
  const handle = await world.harness.startClaim(claim.claimId, { verifyDelayMs: 1_000 });
  await eventually(async () => (await handle.query(claimStateQuery)).phase === 'WAITING_FOR_WINDOW', 'claim to wait for the window');
  // The window opens (the API's re-plan fan-out signals the claim).
  await world.database.db.campaign.update({ where: { id: claim.campaignId }, data: { notificationStartHour: 0, notificationEndHour: 0 } });
  await handle.signal(notificationSettingsChangedSignal);
  await waitForClaim(world.database.db, claim.claimId, (row) => row.notificationStatus === 'SENT');
  const { history, events, text } = await completedHistory(handle);
  if (process.env.CAPTURE_HISTORY) writeFileSync(process.env.CAPTURE_HISTORY, `${historyToJSON(history)}\n`);

  // The edit itself costs 7: its signal, the workflow task it wakes, the window timer's start and
  // cancel, and one re-plan (a local activity's marker).
  expect(events.length).toBeLessThanOrEqual(MAX_EVENTS + 7);
  // Still readable: the timers' summaries, one verification step, one send.
  expect(text).toContain('Wait before verifying');
  expect(text).toContain('Wait for the notification window');
  expect(text.match(/^sendNotification$/gm)).toHaveLength(1);
  expect(world.provider.sent).toHaveLength(1);
});

test('a HONOR_SYSTEM claim sent inside the window costs at most 20 events', async () => {
  const claim = await seedClaim(world.database.db, world.harness.secrets, {
    providerUrl: world.provider.sendUrl,
    providerKey: world.provider.apiKey,
  });
  const handle = await world.harness.startClaim(claim.claimId, { verifyDelayMs: 1_000 });
  await waitForClaim(world.database.db, claim.claimId, (row) => row.notificationStatus === 'SENT');
  const { events, text } = await completedHistory(handle);
  expect(events.length).toBeLessThanOrEqual(MAX_EVENTS);
  expect(text).toContain('Wait before verifying');
  expect(text.match(/^sendNotification$/gm)).toHaveLength(1);
});
