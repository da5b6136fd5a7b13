// The re-plan fan-out: a campaign edit or a WhatsApp account change has to reach every claim that is
// waiting to notify, which can be thousands. The HTTP request only signal-with-starts this workflow
// (one per campaign or tenant) and answers; the signalling runs here, in an activity, server-side.
// A request that arrives while a pass runs causes one more pass, so the claims always end up told
// after the last change (a claim signalled twice re-plans twice, which is harmless).
import { setHandler } from '@temporalio/workflow';
import { replanActivities } from './activity-stubs.js';
import { replanRequestedSignal, type ReplanScope, type ReplanSummary } from './replan-definitions.js';

export async function replanWaitingClaims(scope: ReplanScope): Promise<ReplanSummary> {
  let requested = 0;
  setHandler(replanRequestedSignal, () => {
    requested++;
  });
  let passes = 0;
  let signalled = 0;
  // Signal-with-start delivers the first request before this loop runs; a request arriving after the
  // last pass but before completion makes the server reject the completion, so the loop runs again.
  while (requested > 0) {
    requested = 0;
    passes++;
    signalled += await replanActivities.signalWaitingClaims(scope);
  }
  return { passes, signalled };
}
