// One workflow per claim. Its history tells the story an operator needs: the wait before
// verification, what was checked and how, the credit, the wait for the notification window, the send.
// Deterministic sandbox code: all I/O is in activities, all clocks are workflow time.
// The steps live in workflows/claim/: the run's state and signals, wait-and-verify (with the
// credential back-off), and the notify loop.
import { listenToClaimSignals, startClaimRun } from './claim/claim-run.js';
import { notifyLoop } from './claim/notify-loop.js';
import { waitAndVerify } from './claim/wait-and-verify.js';
import type { ClaimResult, ClaimWorkflowInput } from './definitions.js';

export async function verifySocialTaskClaim(input: ClaimWorkflowInput): Promise<ClaimResult> {
  const run = startClaimRun(input);
  listenToClaimSignals(run);

  if (!input.resumeNotifying) {
    const claim = await waitAndVerify(run);
    if (run.status !== 'VERIFIED') {
      run.phase = 'DONE';
      return { status: run.status, notificationStatus: run.notificationStatus };
    }
    if (run.notificationStatus === 'PENDING') run.notificationStatus = claim.notificationStatus;
  }

  await notifyLoop(run);
  run.phase = 'DONE';
  return { status: run.status, notificationStatus: run.notificationStatus };
}
