// Heartbeats while a long call runs, so that a worker that dies mid-call is noticed within the
// activity's heartbeat timeout (seconds) instead of its start-to-close timeout (minutes).
import { Context } from '@temporalio/activity';

const HEARTBEAT_EVERY_MS = 1_000;

/** Runs `work`, heartbeating every second when called inside an activity (tests call activities directly). */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    context = undefined;
  }
  if (!context) return work();
  const active = context;
  active.heartbeat();
  const timer = setInterval(() => active.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
