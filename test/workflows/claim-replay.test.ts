// A history recorded by today's claim workflow must replay against the code: a change to the
// workflow's command sequence fails here before it can break a running claim. The fixture is a real
// history (a HONOR_SYSTEM claim that waits for the window, is re-planned by a campaign edit and is
// sent), captured with CAPTURE_HISTORY=<file> from claim-history-size.test.ts. Nothing has run in
// production yet: a change to the command sequence re-captures it; once a deployment has run the
// workflow, such a change needs patched() and the old fixture stays.
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { workflowBundle } from './claim-support.js';

const fixture = (name: string) => historyFromJSON(JSON.parse(readFileSync(new URL(`../fixtures/histories/${name}`, import.meta.url), 'utf8')));

beforeAll(async () => {
  await workflowBundle();
}, 120_000);

test.each(['claim-window-edit-send.json'])('%s replays without a determinism error', async (name) => {
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, fixture(name), `replay-${name}`)).resolves.toBeUndefined();
});
