// Histories recorded by earlier versions of the claim workflow must replay against today's code:
// claims that were running when a worker was upgraded finish on the new code. Each fixture is a
// real history captured from the version named in its file name (historyToJSON of fetchHistory).
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { workflowBundle } from './claim-support.js';

const fixture = (name: string) => historyFromJSON(JSON.parse(readFileSync(new URL(`../fixtures/histories/${name}`, import.meta.url), 'utf8')));

beforeAll(async () => {
  await workflowBundle();
}, 120_000);

test.each([
  // notify-now on a held claim, from before notify-now meant "skip the window once": it looped
  // re-planning until the account was reconnected.
  'claim-held-notify-now-before-patch.json',
  // a claim waiting for the window, a campaign edit, then notify-now, from the same version.
  'claim-window-edit-notify-now-before-patch.json',
  // a HONOR_SYSTEM claim verified, waiting for the window, re-planned by a campaign edit and sent,
  // from before its database steps became local activities (patch claim-db-steps-local).
  'claim-window-edit-send-before-local-activities.json',
])('%s replays without a determinism error', async (name) => {
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, fixture(name), `replay-${name}`)).resolves.toBeUndefined();
});
