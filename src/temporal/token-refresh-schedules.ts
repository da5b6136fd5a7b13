// One Temporal Schedule per connected WhatsApp account keeps its token alive. Schedules are
// server-side objects that outlive deploys, so everything here is idempotent by schedule id
// (`whatsapp-token-refresh-{accountId}`): create → ScheduleAlreadyRunning → compare → update only
// when the spec/action/policies differ. `reconcileRefreshSchedules` (npm run schedules:reconcile)
// makes Temporal match the database after drift (a schedule deleted by hand, an account removed
// while Temporal was down).
import { createHash } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import { REFRESH_TOKEN_WORKFLOW_TYPE } from '../../workflows/definitions.js';

export const REFRESH_SCHEDULE_PREFIX = 'whatsapp-token-refresh-';

/**
 * Catch-up window: after a Temporal outage, a missed run is still started if it is at most 1 hour
 * late (deploys and restarts lose nothing). Older misses are dropped rather than fired in a burst
 * for every account at once (Meta's WABA limit is 200 req/h per WABA): with the default 24h interval
 * and 10d threshold a token needs ~10 missed runs before it is at risk, and the next tick comes
 * anyway. Explicit because the defaults disagree (SDK docs: 1 minute or 1 year; server: 365 days).
 */
export const REFRESH_CATCHUP_WINDOW_MS = 60 * 60_000;

export type RefreshScheduleAction = 'created' | 'updated' | 'unchanged' | 'deleted';

export interface RefreshScheduleAccount {
  readonly id: string;
  readonly wabaId: string;
  readonly displayPhoneNumber: string | null;
  readonly status: 'ACTIVE' | 'NEEDS_REAUTH' | 'DISCONNECTED';
  readonly statusReason?: string | null;
}

/** What an operator reads in `temporal schedule describe` / the UI. Never a secret. */
export interface RefreshScheduleMemo {
  readonly tenantSlug: string;
  readonly accountId: string;
  readonly displayPhoneNumber: string;
  readonly wabaId: string;
}

export interface RefreshWorkflowInput {
  readonly accountId: string;
}

export const refreshScheduleId = (accountId: string) => `${REFRESH_SCHEDULE_PREFIX}${accountId}`;

export function accountIdOfSchedule(scheduleId: string): string | undefined {
  return scheduleId.startsWith(REFRESH_SCHEDULE_PREFIX) ? scheduleId.slice(REFRESH_SCHEDULE_PREFIX.length) : undefined;
}

/** The schedule an account should have, in the shape `client.schedule.create` takes. */
export function desiredRefreshSchedule(
  config: AppConfig,
  account: RefreshScheduleAccount,
  tenantSlug: string,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<(input: RefreshWorkflowInput) => Promise<unknown>>> {
  const scheduleId = refreshScheduleId(account.id);
  const { everyMs, offsetMs } = refreshInterval(config, account.id);
  const paused = account.status === 'NEEDS_REAUTH';
  return {
    scheduleId,
    spec: { intervals: [{ every: everyMs, offset: offsetMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: REFRESH_TOKEN_WORKFLOW_TYPE,
      // Runs are `whatsapp-token-refresh-{accountId}-{nominal time}` (the server appends the time).
      workflowId: scheduleId,
      taskQueue: config.temporal.taskQueue,
      args: [{ accountId: account.id }],
      staticSummary: `Refresh WhatsApp token of ${account.displayPhoneNumber ?? account.id}`,
    },
    policies: { overlap: 'SKIP', catchupWindow: REFRESH_CATCHUP_WINDOW_MS, pauseOnFailure: false },
    memo: memoOf(account, tenantSlug) as unknown as Record<string, unknown>,
    state: paused ? { paused: true, note: reauthNote(account) } : { paused: false },
  };
}

/**
 * Every TOKEN_REFRESH_INTERVAL, with an offset derived from the account id: accounts spread over
 * the interval instead of all calling Meta at the same instant, and the offset is stable, so a
 * reconcile can tell a correct schedule from a drifted one.
 */
export function refreshInterval(config: AppConfig, accountId: string): { everyMs: number; offsetMs: number } {
  const everySeconds = Math.max(1, Math.round(config.tokenRefreshIntervalMs / 1000));
  const hash = createHash('sha256').update(accountId).digest().readUInt32BE(0);
  return { everyMs: everySeconds * 1000, offsetMs: (hash % everySeconds) * 1000 };
}

function memoOf(account: RefreshScheduleAccount, tenantSlug: string): RefreshScheduleMemo {
  return { tenantSlug, accountId: account.id, displayPhoneNumber: account.displayPhoneNumber ?? '', wabaId: account.wabaId };
}

/**
 * Every pause we make starts with this, so reconcile can tell our pauses (undone when the account
 * is ACTIVE again) from an operator's `temporal schedule toggle --pause` (left alone).
 */
export const REAUTH_PAUSE_PREFIX = 'Needs reauth:';

export function reauthPauseNote(displayPhoneNumber: string | null, reason: string | null | undefined): string {
  const why = reason ? ` ${reason}` : ' Meta rejected the token.';
  return (
    `${REAUTH_PAUSE_PREFIX} WhatsApp account ${displayPhoneNumber ?? ''}`.trimEnd() +
    ` must be reconnected by the tenant (GET /api/v1/meta/connect).${why} Reconnecting unpauses this schedule.`
  );
}

function reauthNote(account: RefreshScheduleAccount): string {
  return reauthPauseNote(account.displayPhoneNumber, account.statusReason);
}

/**
 * Creates the account's schedule or repairs it; DISCONNECTED accounts lose theirs. Paused exactly
 * when the account is NEEDS_REAUTH (a reconnect unpauses it).
 */
export async function ensureRefreshSchedule(
  client: Client,
  config: AppConfig,
  account: RefreshScheduleAccount,
  tenantSlug: string,
  options: { keepOperatorPause?: boolean } = {},
): Promise<RefreshScheduleAction> {
  if (account.status === 'DISCONNECTED') {
    return (await deleteRefreshSchedule(client, account.id)) ? 'deleted' : 'unchanged';
  }
  const desired = desiredRefreshSchedule(config, account, tenantSlug);
  try {
    await client.schedule.create(desired);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(desired.scheduleId);
  let current: ScheduleDescription;
  try {
    current = await handle.describe();
  } catch (error) {
    // Deleted between our create and describe: one more create settles it.
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create(desired);
    return 'created';
  }
  const state = stateToApply(current, desired, options.keepOperatorPause ?? false);
  const drift = driftOf(current, desired, state);
  if (drift === 'none') return 'unchanged';
  if (drift === 'memo') {
    // The memo cannot be changed by update (neither the SDK nor `temporal schedule update`):
    // recreate. Deleting a schedule does not touch runs it already started.
    await handle.delete();
    await client.schedule.create({ ...desired, state });
    return 'updated';
  }
  await handle.update(() => ({ spec: desired.spec, action: desired.action, policies: desired.policies, state }));
  return 'updated';
}

interface ScheduleState {
  readonly paused: boolean;
  readonly note?: string;
}

/**
 * Paused exactly when the account is NEEDS_REAUTH. The current note (the workflow's reason, an
 * operator's) is kept unless the paused state changes. With keepOperatorPause (reconcile), an
 * operator's pause of an ACTIVE account's schedule stays; a reconnect (keepOperatorPause false)
 * always unpauses.
 */
function stateToApply(current: ScheduleDescription, desired: ReturnType<typeof desiredRefreshSchedule>, keepOperatorPause: boolean): ScheduleState {
  const wantPaused = desired.state?.paused ?? false;
  const operatorPause = current.state.paused && !(current.state.note ?? '').startsWith(REAUTH_PAUSE_PREFIX);
  const keep = current.state.paused === wantPaused || (keepOperatorPause && !wantPaused && operatorPause);
  if (keep) return { paused: current.state.paused, ...(current.state.note ? { note: current.state.note } : {}) };
  return { paused: wantPaused, note: desired.state?.note ?? 'Unpaused: the account is active again' };
}

type Drift = 'none' | 'config' | 'memo';

function driftOf(current: ScheduleDescription, desired: ReturnType<typeof desiredRefreshSchedule>, state: ScheduleState): Drift {
  const memo = desired.memo ?? {};
  const memoMatches = Object.entries(memo).every(([key, value]) => current.memo?.[key] === value);
  if (!memoMatches) return 'memo';
  const interval = desired.spec.intervals?.[0] as { every: number; offset: number };
  const spec = current.spec;
  const specMatches =
    (spec.intervals?.length ?? 0) === 1 &&
    spec.intervals?.[0]?.every === interval.every &&
    (spec.intervals?.[0]?.offset ?? 0) === interval.offset &&
    (spec.calendars?.length ?? 0) === 0 &&
    (spec.skip?.length ?? 0) === 0 &&
    spec.startAt === undefined &&
    spec.endAt === undefined;
  const action = current.action;
  const actionMatches =
    action.type === 'startWorkflow' &&
    action.workflowType === desired.action.workflowType &&
    action.workflowId === desired.action.workflowId &&
    action.taskQueue === desired.action.taskQueue &&
    JSON.stringify(action.args ?? []) === JSON.stringify(desired.action.args ?? []);
  const policiesMatch =
    current.policies.overlap === 'SKIP' && current.policies.catchupWindow === REFRESH_CATCHUP_WINDOW_MS && current.policies.pauseOnFailure === false;
  const stateMatches = current.state.paused === state.paused && current.state.remainingActions === undefined;
  return specMatches && actionMatches && policiesMatch && stateMatches ? 'none' : 'config';
}

/** True when a schedule was deleted; a missing one is fine (idempotent). */
export async function deleteRefreshSchedule(client: Client, accountId: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(refreshScheduleId(accountId)).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

/** The note is what operators see in `temporal schedule describe` and the UI. False when there is no schedule. */
export async function pauseRefreshSchedule(client: Client, accountId: string, note: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(refreshScheduleId(accountId)).pause(note);
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

export async function unpauseRefreshSchedule(client: Client, accountId: string, note = 'Unpaused: the account was reconnected'): Promise<boolean> {
  try {
    await client.schedule.getHandle(refreshScheduleId(accountId)).unpause(note);
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

export interface ReconcileResult {
  readonly created: string[];
  readonly updated: string[];
  readonly deleted: string[];
  readonly unchanged: string[];
}

/**
 * Makes Temporal match the database: every ACTIVE/NEEDS_REAUTH account has exactly its desired
 * schedule (NEEDS_REAUTH ones paused), and no schedule with our prefix exists for a missing or
 * DISCONNECTED account. Accounts are checked with describe (strongly consistent); the schedule list
 * (eventually consistent) is only used to find orphans.
 */
export async function reconcileRefreshSchedules(client: Client, db: Database, config: AppConfig): Promise<ReconcileResult> {
  const result = { created: [] as string[], updated: [] as string[], deleted: [] as string[], unchanged: [] as string[] };
  const accounts = await db.whatsappAccount.findMany({
    where: { status: { in: ['ACTIVE', 'NEEDS_REAUTH'] } },
    select: { id: true, wabaId: true, displayPhoneNumber: true, status: true, statusReason: true, tenant: { select: { slug: true } } },
    orderBy: { id: 'asc' },
  });
  const wanted = new Set<string>();
  for (const account of accounts) {
    const scheduleId = refreshScheduleId(account.id);
    wanted.add(scheduleId);
    const action = await ensureRefreshSchedule(client, config, account, account.tenant.slug, { keepOperatorPause: true });
    if (action === 'deleted') result.deleted.push(scheduleId);
    else result[action].push(scheduleId);
  }
  for await (const summary of client.schedule.list()) {
    const accountId = accountIdOfSchedule(summary.scheduleId);
    if (accountId === undefined || wanted.has(summary.scheduleId)) continue;
    // Connected after our query above? Then its schedule is not an orphan.
    const account = await db.whatsappAccount.findUnique({ where: { id: accountId }, select: { status: true } });
    if (account && account.status !== 'DISCONNECTED') continue;
    if (await deleteRefreshSchedule(client, accountId)) result.deleted.push(summary.scheduleId);
  }
  return result;
}
