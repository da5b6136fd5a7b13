// Gathers a claim's timeline facts: the claim row (through the tenant scope, so another
// tenant's claim is a 404), Meta's delivery statuses for its message, and — while the claim is
// still moving — the workflow's live state (claimState query) and, when held, since when (the
// workflow history). The workflow is asked with a short deadline: a slow or unreachable Temporal
// makes the timeline less precise, never an error.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config.js';
import type { Database } from '../../db/client.js';
import { resolveTimeZone } from '../../domain/notification-window.js';
import { isNotificationFinal } from '../../domain/statuses.js';
import { notFound } from '../../http/errors.js';
import type { TenantContext } from '../../http/use-case-context.js';
import type { Logger } from '../../logger.js';
import { claimStateQuery, type ClaimState } from '../../../workflows/definitions.js';
import { buildTimeline, type Audience, type Timeline, type TimelineFacts } from './build-timeline.js';

const LIVE_STATE_DEADLINE_MS = 2_000;

export interface TimelineDeps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly temporal: Client;
  readonly logger: Logger;
}

/** A tenant admin sees any claim of the tenant in full; an end user only their own, reduced. */
export async function loadTimeline(ctx: TenantContext, { claimId }: { claimId: string }): Promise<Timeline> {
  const { deps } = ctx;
  const audience: Audience = ctx.actor.role === 'end_user' ? 'end_user' : 'tenant_admin';
  const where = audience === 'end_user' ? { id: claimId, userId: ctx.actor.userId } : { id: claimId };
  const claim = await ctx.db.claim.findFirst({
    where,
    include: {
      campaign: { select: { timezone: true, notificationStartHour: true, notificationEndHour: true, notificationEnabled: true } },
      tenant: { select: { timezone: true } },
      spinCredit: { select: { createdAt: true } },
    },
  });
  if (!claim) throw notFound(audience === 'end_user' ? 'claim' : 'completion');

  // Meta's delivery statuses describe Cloud API messages only, reported by the tenant's own number.
  // Any other channel's message id is chosen by a provider (maybe the tenant's own server), which
  // could answer with another tenant's wamid: never look those up.
  const deliveries =
    claim.notificationProviderMessageId && claim.notificationChannel === 'WHATSAPP_CLOUD'
      ? await deps.db.messageStatusEvent.findMany({
          where: {
            providerMessageId: claim.notificationProviderMessageId,
            tenantId: claim.tenantId,
            status: { in: ['delivered', 'read', 'failed'] },
          },
          select: { status: true, occurredAt: true, errorCode: true, errorTitle: true },
        })
      : [];

  // Each send attempt, for the admin: which one reached the provider, why the claim is UNKNOWN.
  const attempts =
    audience === 'tenant_admin'
      ? await deps.db.notificationAttempt.findMany({
          where: { claimId: claim.id, tenantId: claim.tenantId },
          orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
          select: { id: true, startedAt: true, endedAt: true, outcome: true, detail: true },
        })
      : [];

  const moving = claim.status === 'PENDING' || (claim.status === 'VERIFIED' && !isNotificationFinal(claim.notificationStatus));
  const live = moving && claim.workflowStartedAt ? await askLiveState(deps, claim.workflowId) : undefined;
  const heldSince = live?.phase === 'HELD' ? await heldSinceOf(deps, claim.workflowId) : null;

  const facts: TimelineFacts = {
    claim,
    creditedAt: claim.spinCredit?.createdAt ?? null,
    window: {
      startHour: claim.campaign.notificationStartHour,
      endHour: claim.campaign.notificationEndHour,
      timeZone: resolveTimeZone(claim.campaign.timezone, claim.tenant.timezone),
      enabled: claim.campaign.notificationEnabled,
    },
    deliveries,
    attempts,
    live,
    heldSince,
    verifyDelayMs: deps.config.claimVerifyDelayMs,
  };
  return buildTimeline(facts, audience);
}

async function askLiveState(deps: TimelineDeps, workflowId: string): Promise<ClaimState | undefined> {
  try {
    return await deps.temporal.withDeadline(Date.now() + LIVE_STATE_DEADLINE_MS, () =>
      deps.temporal.workflow.getHandle(workflowId).query(claimStateQuery),
    );
  } catch (error) {
    deps.logger.debug({ err: error, workflowId }, 'claimState query failed; timeline from rows only');
    return undefined;
  }
}

/**
 * The start of the current run of "held" waits: the workflow sleeps on a timer whose summary says
 * the notification is held, and re-checks hourly, so the first of the latest unbroken run of such
 * timers is when the hold began.
 */
async function heldSinceOf(deps: TimelineDeps, workflowId: string): Promise<Date | null> {
  try {
    const history = await deps.temporal.withDeadline(Date.now() + LIVE_STATE_DEADLINE_MS, () =>
      deps.temporal.workflow.getHandle(workflowId).fetchHistory(),
    );
    let since: Date | null = null;
    for (const event of history.events ?? []) {
      if (!event.timerStartedEventAttributes || !event.eventTime) continue;
      const held = /held/i.test(summaryText(event.userMetadata?.summary?.data));
      if (!held) since = null;
      else since ??= tsToDate(event.eventTime);
    }
    return since;
  } catch (error) {
    deps.logger.debug({ err: error, workflowId }, 'could not read the claim history');
    return null;
  }
}

function tsToDate(ts: { seconds?: unknown; nanos?: number | null }): Date {
  const seconds = ts.seconds as { toNumber(): number } | number | string | null | undefined;
  const whole = typeof seconds === 'object' && seconds !== null ? seconds.toNumber() : Number(seconds ?? 0);
  return new Date(whole * 1000 + Math.floor((ts.nanos ?? 0) / 1e6));
}

function summaryText(data: Uint8Array | null | undefined): string {
  if (!data) return '';
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}
